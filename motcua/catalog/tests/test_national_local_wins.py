"""The province's hand-checked procedures (with their e-forms) win over the national import:
it leaves them exactly as they are and reports them as kept."""

from motcua.catalog.constants import CatalogSource
from motcua.catalog.models import Procedure, ProcedureForm
from motcua.catalog.national import national_import
from motcua.catalog.services import catalog_import
from motcua.core.testing import BIRTH, catalog_document


def test_hand_checked_procedure_and_its_form_are_untouched(national):
    catalog_import(actor="test", document=catalog_document(BIRTH))
    procedure = Procedure.objects.get(code="1.001193")
    version = procedure.current_version
    ProcedureForm.objects.create(version=version, schema={"sections": []})

    report = national_import(actor="test", records=[national("1.001193")], index=[])

    assert report.kept_local == ["1.001193"] and report.created == report.updated == []
    procedure.refresh_from_db()
    assert procedure.source == CatalogSource.LOCAL
    assert procedure.current_version_id == version.pk and procedure.versions.count() == 1
    assert ProcedureForm.objects.filter(version=version).exists()


def test_a_national_procedure_changed_through_a_catalogue_file_becomes_the_provinces(national):
    from motcua.catalog.services import catalog_export

    national_import(actor="test", records=[national("1.013222")])
    document = catalog_export()
    document["procedures"][0]["processing_time_note"] = "Sở Xây dựng đã đối chiếu lại."
    catalog_import(actor="test", document=document)
    procedure = Procedure.objects.get(code="1.013222")
    assert procedure.source == CatalogSource.LOCAL and procedure.current_version.number == 2

    report = national_import(actor="test", records=[national("1.013222")])

    assert report.kept_local == ["1.013222"]
    assert (
        Procedure.objects.get(code="1.013222").current_version.processing_time_note == "Sở Xây dựng đã đối chiếu lại."
    )
