"""Every write into the catalogue keeps an agency administrator inside their agency, as the admin's
lists do: a catalogue file touching another agency's procedure is refused whole, with the records
named; the version change form offers only their own agency; the import command run for a staff
user applies the same scope. Superusers keep the whole catalogue."""

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from motcua.catalog.constants import ImportJobStatus, VersionStatus
from motcua.catalog.models import CatalogImportJob, Field, Procedure, ProcedureVersion
from motcua.catalog.services import (
    CatalogImportRefused,
    catalog_import,
    procedure_version_clone,
    procedure_version_publish,
)
from motcua.core.errors import ApplicationError
from motcua.core.models import AuditEvent
from motcua.core.testing import BIRTH, catalog_document, directory_minimal, procedure
from motcua.directory.constants import AgencyKind, Role
from motcua.directory.demo import agency_admin_group
from motcua.directory.models import Agency
from motcua.directory.services import staff_ensure

pytestmark = pytest.mark.django_db

CRIMINAL_RECORD = procedure(
    "2.001417",
    "Cấp Phiếu lý lịch tư pháp",
    field="XD",
    level="province",
    implementing_agency="Công an tỉnh",
    managing_agency="CAT",
    fees=[{"kind": "fee", "name": "Phí cấp Phiếu lý lịch tư pháp", "amount": 200000}],
)


@pytest.fixture
def catalogue() -> None:
    """Birth registration (the justice department's) and the criminal record (the police's)."""
    agencies = directory_minimal()
    Agency.objects.create(
        code="CAT",
        electronic_id="000.00.20.H15",
        name="Công an tỉnh",
        kind=AgencyKind.DEPARTMENT,
        unit=agencies["STP"].unit,
    )
    catalog_import(actor="test", document=catalog_document(BIRTH, CRIMINAL_RECORD))


def _justice_admin() -> Any:
    user = staff_ensure(
        actor="t",
        username="stp.quantri",
        full_name="Đặng Văn Trị",
        password="x",
        roles=[(Role.AGENCY_ADMIN, "STP", None)],
    )
    user.groups.add(agency_admin_group())
    return user


def _upload(client: Any, document: dict[str, Any], capture: Any) -> Any:
    content = json.dumps(document, ensure_ascii=False).encode()
    with capture(execute=True):
        response = client.post(
            "/quan-tri/catalog/procedure/import/", {"file": SimpleUploadedFile("danh-muc.json", content)}
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


def _snapshot() -> dict[str, Any]:
    return {
        p.code: (p.current_version_id, p.managing_agency.code if p.managing_agency else "", p.versions.count())
        for p in Procedure.objects.select_related("managing_agency")
    }


def _birth_in_two_days() -> dict[str, Any]:
    return procedure(BIRTH["code"], BIRTH["name"], processing_time=2)


# The police's procedure taken over (the review's file), the justice department's own moved to the
# police, and a new procedure created under the police: each is outside stp.quantri's agency.
OUT_OF_SCOPE_FILES = {
    "foreign procedure taken over": procedure(
        CRIMINAL_RECORD["code"],
        CRIMINAL_RECORD["name"],
        field="XD",
        managing_agency="STP",
        processing_time=60,
        fees=[{"kind": "fee", "name": "Phí", "amount": 9990000}],
    ),
    "own procedure given away": procedure(BIRTH["code"], BIRTH["name"], managing_agency="CAT"),
    "new procedure for another agency": procedure("1.999001", "Thủ tục mới của Công an", managing_agency="CAT"),
}


@pytest.mark.parametrize("item", OUT_OF_SCOPE_FILES.values(), ids=OUT_OF_SCOPE_FILES.keys())
def test_agency_admin_file_touching_another_agency_is_refused_whole(
    client: Any, catalogue: None, django_capture_on_commit_callbacks: Any, item: dict[str, Any]
) -> None:
    admin = _justice_admin()
    client.force_login(admin)
    before = _snapshot()
    # The file also creates a procedure of his own agency: it must not be written either.
    document = catalog_document(procedure("1.999002", "Thủ tục mới của Sở Tư pháp"), item)
    response = _upload(client, document, django_capture_on_commit_callbacks)

    job = CatalogImportJob.objects.get()
    assert job.status == ImportJobStatus.REFUSED
    assert _snapshot() == before
    assert not Procedure.objects.filter(code__in=["1.999001", "1.999002"]).exists()
    assert [e["location"] for e in job.errors] == ["procedures[1]"]
    assert item["code"] in job.errors[0]["message"] and "ngoài phạm vi" in job.errors[0]["message"]
    page = client.get(response["Location"]).content.decode()
    assert item["code"] in page and "không có thay đổi nào được ghi" in page
    refusal = AuditEvent.objects.get(action="catalog.import_refused_scope")
    assert refusal.actor == admin and refusal.summary["procedures"] == [item["code"]]


def test_agency_admin_imports_their_own_procedure(
    client: Any, catalogue: None, django_capture_on_commit_callbacks: Any
) -> None:
    """The police's procedure in the file unchanged (as in an export) is not a write: the file passes."""
    client.force_login(_justice_admin())
    _upload(client, catalog_document(_birth_in_two_days(), CRIMINAL_RECORD), django_capture_on_commit_callbacks)

    job = CatalogImportJob.objects.get()
    assert job.status == ImportJobStatus.DONE, job.errors
    assert job.report["updated"] == 1 and job.report["unchanged"] == 1
    birth = Procedure.objects.get(code=BIRTH["code"])
    assert birth.current_version is not None and birth.current_version.processing_time == Decimal(2)
    assert birth.current_version.number == 2 and birth.managing_agency and birth.managing_agency.code == "STP"


def test_superuser_may_move_a_procedure_between_agencies(
    admin_client: Any, catalogue: None, django_capture_on_commit_callbacks: Any
) -> None:
    _upload(
        admin_client,
        catalog_document(OUT_OF_SCOPE_FILES["foreign procedure taken over"]),
        django_capture_on_commit_callbacks,
    )
    assert CatalogImportJob.objects.get().status == ImportJobStatus.DONE
    police = Procedure.objects.get(code=CRIMINAL_RECORD["code"])
    assert police.managing_agency and police.managing_agency.code == "STP"


def _change_form_data(response: Any) -> dict[str, Any]:
    """What the browser would post back: the form's and the inline formsets' current values."""
    data: dict[str, Any] = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    for form in forms:
        for bound in form:
            value = bound.value()
            if value is None or value is False:
                continue
            data[bound.html_name] = json.dumps(value) if isinstance(value, list | dict) else value
    return data


def test_version_change_form_refuses_another_agency_as_managing_agency(client: Any, catalogue: None) -> None:
    admin = _justice_admin()
    draft = procedure_version_clone(actor="test", procedure=Procedure.objects.get(code=BIRTH["code"]))
    client.force_login(admin)
    url = f"/quan-tri/catalog/procedureversion/{draft.pk}/change/"
    data = _change_form_data(client.get(url))

    for foreign in (Agency.objects.get(code="CAT").pk, ""):  # given to the police, or to no agency
        data["managing_agency"] = foreign
        response = client.post(url, data)
        assert response.status_code == 200 and response.context["adminform"].form.errors.get("managing_agency")
        draft.refresh_from_db()
        assert draft.managing_agency and draft.managing_agency.code == "STP"
    # The same form with his own agency saves: the refusal is the scope, not a broken post.
    data["managing_agency"] = Agency.objects.get(code="STP").pk
    assert client.post(url, data).status_code == 302


def test_publishing_a_draft_given_to_another_agency_is_refused(catalogue: None) -> None:
    """The service itself holds the line, whatever path (admin action, import) reaches it."""
    birth = Procedure.objects.get(code=BIRTH["code"])
    draft = procedure_version_clone(actor="test", procedure=birth)
    ProcedureVersion.objects.filter(pk=draft.pk).update(managing_agency=Agency.objects.get(code="CAT"))

    with pytest.raises(ApplicationError, match="ngoài phạm vi"):
        procedure_version_publish(actor=_justice_admin(), version=draft)
    birth.refresh_from_db()
    assert birth.current_version_id != draft.pk and birth.managing_agency and birth.managing_agency.code == "STP"


def test_import_command_for_a_staff_user_applies_their_scope(catalogue: None, tmp_path: Path) -> None:
    _justice_admin()
    path = tmp_path / "danh-muc.json"
    path.write_text(
        json.dumps(catalog_document(OUT_OF_SCOPE_FILES["foreign procedure taken over"]), ensure_ascii=False)
    )
    before = _snapshot()

    with pytest.raises(CommandError, match="ngoài phạm vi"):
        call_command("catalog_import", str(path), as_user="stp.quantri")
    assert _snapshot() == before

    call_command("catalog_import", str(path))  # the operator's own run keeps the whole catalogue
    assert (
        ProcedureVersion.objects.filter(procedure__code=CRIMINAL_RECORD["code"], status=VersionStatus.PUBLISHED)
        .get()
        .number
        == 2
    )


def test_agency_admin_cannot_rename_a_field_of_no_agency_of_theirs(catalogue: None) -> None:
    admin = _justice_admin()
    document = catalog_document(_birth_in_two_days())
    document["fields"][1]["name"] = "Xây dựng (đổi tên)"

    with pytest.raises(CatalogImportRefused) as refused:
        catalog_import(actor=admin, document=document)

    assert [(e.location, "XD" in e.message) for e in refused.value.errors] == [("fields[1]", True)]
    assert "XD" in refused.value.message
    assert Field.objects.get(code="XD").name == "Hoạt động xây dựng"
    assert Procedure.objects.get(code=BIRTH["code"]).versions.count() == 1
