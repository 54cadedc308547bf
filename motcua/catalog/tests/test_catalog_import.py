"""Catalogue import: validated, all-or-nothing, idempotent, versioned."""

import copy

import pytest

from motcua.catalog.constants import VersionStatus
from motcua.catalog.models import Procedure, ProcedureVersion
from motcua.catalog.services import CatalogImportRefused, catalog_export, catalog_import
from motcua.core.models import AuditEvent
from motcua.core.testing import BIRTH, catalog_document, procedure

pytestmark = pytest.mark.django_db


def test_import_creates_published_versions_with_papers_and_fees(agencies) -> None:
    report = catalog_import(actor="test", document=catalog_document())
    assert report.created == ["1.001193"]
    proc = Procedure.objects.get(code="1.001193")
    assert proc.current_version is not None
    assert proc.current_version.status == VersionStatus.PUBLISHED
    assert proc.current_version.components.get().name == "Tờ khai đăng ký khai sinh"
    assert proc.current_version.fees.get().description == "Miễn khi đúng hạn"
    assert proc.search_folded.startswith("1.001193 thu tuc dang ky khai sinh")
    assert AuditEvent.objects.filter(action="catalog.import").count() == 1


def test_reimporting_the_same_file_changes_nothing(agencies) -> None:
    catalog_import(actor="test", document=catalog_document())
    report = catalog_import(actor="test", document=catalog_document())
    assert report.unchanged == ["1.001193"] and not report.created and not report.updated
    assert ProcedureVersion.objects.count() == 1


def test_a_change_creates_a_new_version_and_keeps_the_old_one(agencies) -> None:
    catalog_import(actor="test", document=catalog_document())
    first = Procedure.objects.get().current_version
    changed = copy.deepcopy(BIRTH)
    changed["processing_time"] = 3
    report = catalog_import(actor="test", document=catalog_document(changed))
    assert report.updated == ["1.001193"]
    proc = Procedure.objects.get()
    assert proc.current_version is not None and proc.current_version.number == 2
    assert proc.current_version.processing_time == 3
    first.refresh_from_db()  # type: ignore[union-attr]
    assert first.status == VersionStatus.RETIRED and first.processing_time == 1  # type: ignore[union-attr]


def test_broken_file_is_refused_whole_with_every_error_located(agencies) -> None:
    good = procedure("1.000001", "Thủ tục tốt")
    bad_code = procedure("1.2", "Mã sai")
    duplicate = procedure("1.000001", "Trùng mã")
    wrong_types = procedure("1.000003", "Sai kiểu", processing_time="abc", level="village", colour="red")
    wrong_types["fees"][0]["amount"] = -5
    document = catalog_document(good, bad_code, duplicate, wrong_types)
    with pytest.raises(CatalogImportRefused) as refused:
        catalog_import(actor="test", document=document)
    messages = {e.location: e.message for e in refused.value.errors}
    assert "procedures[1].code" in messages
    assert "procedures[2].code" in messages and "trùng" in messages["procedures[2].code"]
    assert "procedures[3].processing_time" in messages
    assert "procedures[3].level" in messages
    assert "procedures[3].colour" in messages and "không được hỗ trợ" in messages["procedures[3].colour"]
    assert "procedures[3].fees[0].amount" in messages
    assert Procedure.objects.count() == 0, "nothing may be half-imported"


def test_unknown_field_and_agency_are_errors(agencies) -> None:
    document = catalog_document(procedure("1.000001", "Thủ tục", field="NOPE", managing_agency="SXX"))
    with pytest.raises(CatalogImportRefused) as refused:
        catalog_import(actor="test", document=document)
    assert {e.location for e in refused.value.errors} == {"procedures[0].field", "procedures[0].managing_agency"}


def test_wrong_format_marker_is_refused(agencies) -> None:
    document = catalog_document()
    document["format"] = "something-else"
    with pytest.raises(CatalogImportRefused):
        catalog_import(actor="test", document=document)


def test_progress_is_reported_for_each_procedure(agencies) -> None:
    seen: list[tuple[int, int]] = []
    document = catalog_document(*(procedure(f"1.00000{i}", f"Thủ tục {i}") for i in range(3)))
    catalog_import(actor="test", document=document, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_export_then_import_is_a_fixed_point(agencies) -> None:
    catalog_import(
        actor="test", document=catalog_document(BIRTH, procedure("1.000002", "Cấp phép", field="XD", level="province"))
    )
    exported = catalog_export()
    report = catalog_import(actor="test", document=exported)
    assert sorted(report.unchanged) == ["1.000002", "1.001193"]
    assert exported["procedures"][0]["fees"][0]["amount"] == 0
