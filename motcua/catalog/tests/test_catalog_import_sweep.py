"""A catalogue import whose queued job was lost still runs, once.

Requirement (issue 11, "nothing lost when a part fails"): the database is the source of truth for
pending work; a queue that is down or restarted empty delays jobs, never loses them. The upload
is kept as a CatalogImportJob; the periodic sweep (catalog.tasks.catalog_import_jobs_resume_due)
starts a job still pending after the grace period, and the job's claim makes it run only once.
"""

import contextlib
import json
import os
import threading

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.utils import timezone

from motcua.catalog.constants import ImportJobStatus
from motcua.catalog.models import CatalogImportJob, Procedure
from motcua.catalog.services import IMPORT_JOB_GRACE, catalog_import_job_execute
from motcua.catalog.tasks import catalog_import_jobs_resume_due
from motcua.core.testing import catalog_document

pytestmark = pytest.mark.django_db


def test_an_import_queued_while_the_queue_was_down_is_started_by_the_sweep(
    admin_client, agencies, queue_down, django_capture_on_commit_callbacks, caplog
) -> None:
    content = json.dumps(catalog_document(), ensure_ascii=False).encode()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/quan-tri/catalog/procedure/import/", {"file": SimpleUploadedFile("catalog.json", content)}
        )
    assert response.status_code == 302, "the upload is accepted although its job could not be queued"
    assert "Could not queue" in caplog.text
    job = CatalogImportJob.objects.get()
    assert job.status == ImportJobStatus.PENDING

    assert catalog_import_jobs_resume_due.call() == [], "within the grace period the queued job may still come"
    assert CatalogImportJob.objects.get().status == ImportJobStatus.PENDING

    with time_machine.travel(timezone.now() + IMPORT_JOB_GRACE, tick=False):
        assert catalog_import_jobs_resume_due.call() == [job.pk]
        assert catalog_import_jobs_resume_due.call() == [], "claimed once"
    job.refresh_from_db()
    assert job.status == ImportJobStatus.DONE and job.report["created"] == 1
    assert catalog_import_job_execute(job_id=job.pk) is False, "the late queued job finds it claimed"
    assert Procedure.objects.get(code="1.001193").versions.count() == 1


def _upload_with_queue_down(admin_client, django_capture_on_commit_callbacks):
    content = json.dumps(catalog_document(), ensure_ascii=False).encode()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post("/quan-tri/catalog/procedure/import/", {"file": SimpleUploadedFile("catalog.json", content)})
    return CatalogImportJob.objects.get()


def test_an_import_whose_worker_died_is_run_again(
    admin_client, agencies, queue_down, django_capture_on_commit_callbacks
) -> None:
    """The worker claimed the job and was killed mid-import: its transaction is gone, nothing was
    imported, the job says "running". The sweep queues it again once the grace period is over."""
    job = _upload_with_queue_down(admin_client, django_capture_on_commit_callbacks)
    CatalogImportJob.objects.filter(pk=job.pk).update(status=ImportJobStatus.RUNNING, claimed_at=timezone.now())
    assert catalog_import_jobs_resume_due.call() == [], "it may still be running"

    with time_machine.travel(timezone.now() + IMPORT_JOB_GRACE, tick=False):
        assert catalog_import_jobs_resume_due.call() == [job.pk]
    job.refresh_from_db()
    assert job.status == ImportJobStatus.DONE
    assert Procedure.objects.get(code="1.001193").versions.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not os.environ.get("MOTCUA_TEST_POSTGRES_HOST"), reason="row locks: PostgreSQL only")
def test_a_live_import_is_not_taken_from_its_worker(admin_client, agencies, queue_down) -> None:
    """A run holds its job's row lock until its outcome commits: the sweep passes it by."""
    job = _upload_with_queue_down(admin_client, lambda **kwargs: contextlib.nullcontext())
    CatalogImportJob.objects.filter(pk=job.pk).update(status=ImportJobStatus.RUNNING, claimed_at=timezone.now())
    locked, release = threading.Event(), threading.Event()

    def live_run() -> None:
        try:
            with transaction.atomic():
                CatalogImportJob.objects.select_for_update().get(pk=job.pk)
                locked.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    worker = threading.Thread(target=live_run)
    worker.start()
    try:
        assert locked.wait(timeout=10)
        with time_machine.travel(timezone.now() + IMPORT_JOB_GRACE, tick=True):
            assert catalog_import_jobs_resume_due.call() == []
        assert CatalogImportJob.objects.get(pk=job.pk).status == ImportJobStatus.RUNNING
    finally:
        release.set()
        worker.join(timeout=30)
