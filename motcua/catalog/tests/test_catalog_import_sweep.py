"""A catalogue import whose queued job was lost still runs, once.

Requirement (issue 11, "nothing lost when a part fails"): the database is the source of truth for
pending work; a queue that is down or restarted empty delays jobs, never loses them. The upload
is kept as a CatalogImportJob; the periodic sweep (catalog.tasks.catalog_import_jobs_resume_due)
starts a job still pending after the grace period, and the job's claim makes it run only once.
"""

import json

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
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
