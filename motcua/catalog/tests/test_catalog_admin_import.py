"""Administrators import and export the catalogue from the admin; the import runs as a task and
its page follows the progress; a refused file lists its errors and changes nothing."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.catalog.constants import ImportJobStatus
from motcua.catalog.models import CatalogImportJob, Procedure
from motcua.catalog.services import catalog_import_job_execute
from motcua.core.testing import catalog_document, procedure

pytestmark = pytest.mark.django_db


def _upload(admin_client, document, name="catalog.json"):  # type: ignore[no-untyped-def]
    content = json.dumps(document, ensure_ascii=False).encode()
    return admin_client.post("/quan-tri/catalog/procedure/import/", {"file": SimpleUploadedFile(name, content)})


def test_upload_imports_through_the_worker_and_shows_the_report(
    admin_client, agencies, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(admin_client, catalog_document())
    job = CatalogImportJob.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/import/{job.pk}/")
    assert job.status == ImportJobStatus.DONE and job.report["created"] == 1
    page = admin_client.get(response["Location"]).content.decode()
    assert "Thêm mới 1" in page
    assert Procedure.objects.filter(code="1.001193").exists()


def test_refused_upload_lists_errors_and_imports_nothing(
    admin_client, agencies, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(admin_client, catalog_document(procedure("1.2", "Sai mã")))
    job = CatalogImportJob.objects.get()
    assert job.status == ImportJobStatus.REFUSED
    page = admin_client.get(response["Location"]).content.decode()
    assert "procedures[0].code" in page and "không có thay đổi nào được ghi" in page
    assert not Procedure.objects.exists()


def test_wrong_file_type_is_refused_at_upload(admin_client, agencies) -> None:
    response = _upload(admin_client, {}, name="catalog.exe")
    assert response.status_code == 200
    assert "Chỉ nhận tệp .json hoặc .xlsx" in response.content.decode()
    assert not CatalogImportJob.objects.exists()


def test_a_replayed_task_does_not_import_twice(admin_client, agencies, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _upload(admin_client, catalog_document())
    job = CatalogImportJob.objects.get()
    catalog_import_job_execute(job_id=job.pk)
    assert Procedure.objects.get().versions.count() == 1


def test_export_downloads_json_and_excel(admin_client, agencies, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _upload(admin_client, catalog_document())
    as_json = admin_client.get("/quan-tri/catalog/procedure/export/json/")
    assert as_json.json()["procedures"][0]["code"] == "1.001193"
    as_xlsx = admin_client.get("/quan-tri/catalog/procedure/export/xlsx/")
    assert as_xlsx.content[:2] == b"PK"


def test_staff_without_permission_cannot_import(client, agencies, django_user_model) -> None:
    user = django_user_model.objects.create_user("clerk", password="x", is_staff=True)
    client.force_login(user)
    assert client.get("/quan-tri/catalog/procedure/import/").status_code == 403
