"""The catalogue travels as an Excel workbook too; errors name sheet, row and column."""

import pytest
from openpyxl import load_workbook

from motcua.catalog.exchange import SHEET_FEES, SHEET_PROCEDURES, read_excel, write_excel
from motcua.catalog.models import Procedure
from motcua.catalog.services import CatalogImportRefused, catalog_export, catalog_import
from motcua.core.testing import BIRTH, catalog_document, procedure

pytestmark = pytest.mark.django_db


def _workbook_bytes(agencies) -> bytes:  # type: ignore[no-untyped-def]
    catalog_import(
        actor="test", document=catalog_document(BIRTH, procedure("1.000002", "Cấp phép", field="XD", level="province"))
    )
    return write_excel(catalog_export())


def test_excel_round_trip_is_idempotent(agencies) -> None:
    content = _workbook_bytes(agencies)
    parsed = read_excel(content)
    assert not parsed.errors
    report = catalog_import(actor="test", document=parsed.document, locate=parsed.locate)
    assert sorted(report.unchanged) == ["1.000002", "1.001193"]


def test_excel_errors_name_the_cell(agencies, tmp_path) -> None:
    content = _workbook_bytes(agencies)
    path = tmp_path / "catalog.xlsx"
    path.write_bytes(content)
    wb = load_workbook(path)
    procedures = wb[SHEET_PROCEDURES]
    header = [c.value for c in procedures[1]]
    procedures.cell(row=3, column=header.index("level") + 1, value="village")
    fees = wb[SHEET_FEES]
    fee_header = [c.value for c in fees[1]]
    fees.cell(row=2, column=fee_header.index("amount") + 1, value="một trăm")
    wb.save(path)
    parsed = read_excel(path.read_bytes())
    with pytest.raises(CatalogImportRefused) as refused:
        catalog_import(actor="test", document=parsed.document, locate=parsed.locate)
    locations = {e.location for e in refused.value.errors}
    level_col = chr(ord("A") + header.index("level"))
    amount_col = chr(ord("A") + fee_header.index("amount"))
    assert f"{SHEET_PROCEDURES}!{level_col}3" in locations
    assert f"{SHEET_FEES}!{amount_col}2" in locations
    assert Procedure.objects.get(code="1.001193").current_version.number == 1  # type: ignore[union-attr]


def test_a_file_that_is_not_a_workbook_is_refused_clearly() -> None:
    parsed = read_excel(b"%PDF-1.7 not a workbook")
    assert parsed.errors and "Excel" in parsed.errors[0].message
