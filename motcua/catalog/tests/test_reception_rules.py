"""Same-day and cut-off rules: read from the catalogue's time note at import, carried by the
version, exchanged explicitly, editable in the admin and shown on the procedure page."""

import datetime
from decimal import Decimal
from typing import Any

import pytest

from motcua.catalog.constants import TimeUnit, VersionStatus
from motcua.catalog.exchange import read_excel, write_excel
from motcua.catalog.models import Procedure, ProcedureVersion
from motcua.catalog.reception_rules import ReceptionRule, parse_reception_rule
from motcua.catalog.services import (
    CatalogImportRefused,
    catalog_export,
    catalog_import,
    procedure_version_clone,
    procedure_version_content,
)
from motcua.core.testing import BIRTH, catalog_document, procedure

FIFTEEN = datetime.time(15, 0)
# Notes as the national records and the demo catalogue write them.
SAME_DAY_NOTES = [
    "Ngay trong ngày tiếp nhận; nếu tiếp nhận hồ sơ sau 15 giờ thì trả kết quả trong ngày làm việc tiếp theo.",
    "Ngay trong ngày tiếp nhận hồ sơ, trường hợp nhận hồ sơ sau 15 giờ mà không giải quyết được ngay thì trả "
    "kết quả trong ngày làm việc tiếp theo. Trường hợp cần xác minh thì thời hạn giải quyết không quá 03 ngày "
    "làm việc.",
    "Trong ngày làm việc nhận được đủ hồ sơ xóa nợ; nếu thời điểm nhận đủ hồ sơ, sau 15 giờ cùng ngày thì có thể "
    "giải quyết việc xóa nợ trong ngày làm việc tiếp theo.",
    "Đối với hồ sơ hợp lệ, đủ điều kiện giải quyết: trong ngày làm việc. Trường hợp hồ sơ được nộp sau 15 giờ thì "
    "trả kết quả trong ngày làm việc tiếp theo.",
]


def _current(code: str) -> ProcedureVersion:
    version = Procedure.objects.get(code=code).current_version
    assert version is not None
    return version


@pytest.mark.parametrize("note", SAME_DAY_NOTES)
def test_the_national_wordings_give_same_day_with_a_15_00_cut_off(note: str) -> None:
    rule = parse_reception_rule(note, processing_time=Decimal(1), unit=TimeUnit.WORKING_DAY)
    assert rule == ReceptionRule(same_day=True, cutoff=FIFTEEN)


@pytest.mark.parametrize(
    ("note", "time", "expected"),
    [
        ("Ngay trong ngày tiếp nhận; trường hợp cần xác minh thì trả lời trong 03 ngày làm việc.", "1", (True, None)),
        ("Trả kết quả trong ngày nếu nhận trước 15 giờ 30.", "1", (True, datetime.time(15, 30))),
        ("Trong ngày tiếp nhận hoặc không quá 02 ngày làm việc.", "2", (False, None)),
        ("03 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ.", "3", (False, None)),
        ("Nếu nhận hồ sơ sau 15 giờ thì tính từ ngày làm việc tiếp theo.", "5", (False, FIFTEEN)),
        ("Việc thông báo lưu trú được thực hiện trước 23 giờ của ngày bắt đầu lưu trú.", "1", (False, None)),
        ("", "1", (False, None)),
    ],
)
def test_what_the_note_does_not_say_is_not_read_into_it(note: str, time: str, expected: tuple[Any, Any]) -> None:
    rule = parse_reception_rule(note, processing_time=Decimal(time), unit=TimeUnit.WORKING_DAY)
    assert (rule.same_day, rule.cutoff) == expected


def test_import_reads_the_rule_from_the_note(agencies: Any) -> None:
    catalog_import(
        actor="test",
        document=catalog_document(
            procedure("1.001193", "Đăng ký khai sinh", processing_time_note=SAME_DAY_NOTES[0]),
            procedure("1.000002", "Cấp phép", field="XD", processing_time=5),
        ),
    )
    birth = _current("1.001193")
    other = _current("1.000002")
    assert (birth.same_day, birth.reception_cutoff) == (True, FIFTEEN)
    assert (other.same_day, other.reception_cutoff) == (False, None)
    assert other.cutoff_in_force == datetime.time(16, 0)
    # A version without rules hashes as before the rules existed: its content has no such keys.
    assert not {"same_day", "reception_cutoff"} & set(procedure_version_content(version=other))


def test_the_document_s_own_rule_wins_over_the_note(agencies: Any) -> None:
    stated = procedure(
        "1.001193",
        "Đăng ký khai sinh",
        processing_time_note=SAME_DAY_NOTES[0],
        same_day=False,
        reception_cutoff="14:30",
    )
    catalog_import(actor="test", document=catalog_document(stated))
    version = _current("1.001193")
    assert (version.same_day, version.reception_cutoff) == (False, datetime.time(14, 30))


def test_a_cut_off_that_is_not_a_time_is_refused_with_its_place(agencies: Any) -> None:
    with pytest.raises(CatalogImportRefused) as refused:
        catalog_import(actor="test", document=catalog_document(procedure("1.001193", "X", reception_cutoff="15 giờ")))
    assert [(e.path, e.location) for e in refused.value.errors] == [
        (("procedures", 0, "reception_cutoff"), "procedures[0].reception_cutoff")
    ]


@pytest.mark.parametrize("file_kind", ["json", "xlsx"])
def test_export_then_import_keeps_the_rule_exactly(agencies: Any, file_kind: str) -> None:
    """Also a rule switched off against its note stays off: the export states it."""
    catalog_import(
        actor="test",
        document=catalog_document(
            procedure("1.001193", "Đăng ký khai sinh", processing_time_note=SAME_DAY_NOTES[0]),
            procedure("1.000656", "Đăng ký khai tử", processing_time_note=SAME_DAY_NOTES[0], same_day=False),
            procedure("1.000002", "Cấp phép", field="XD", processing_time=5),
        ),
    )
    document = catalog_export()
    if file_kind == "xlsx":
        parsed = read_excel(write_excel(document))
        assert not parsed.errors
        document = parsed.document
    report = catalog_import(actor="test", document=document)
    assert sorted(report.unchanged) == ["1.000002", "1.000656", "1.001193"]
    death = _current("1.000656")
    assert (death.same_day, death.reception_cutoff) == (False, None)


def test_an_empty_excel_cell_leaves_the_rule_to_the_note(agencies: Any) -> None:
    catalog_import(actor="test", document=catalog_document(procedure("1.001193", "Đăng ký khai sinh")))
    document = catalog_export()
    document["procedures"][0].update(processing_time_note=SAME_DAY_NOTES[0], same_day="", reception_cutoff="")
    parsed = read_excel(write_excel(document))
    assert "same_day" not in parsed.document["procedures"][0]
    catalog_import(actor="test", document=parsed.document)
    version = _current("1.001193")
    assert (version.same_day, version.reception_cutoff) == (True, FIFTEEN)


def test_the_admin_edits_the_rule_of_a_draft_in_vietnamese(admin_client: Any, agencies: Any) -> None:
    catalog_import(actor="test", document=catalog_document(BIRTH))
    draft = procedure_version_clone(actor="test", procedure=Procedure.objects.get(code="1.001193"))
    page = admin_client.get(f"/quan-tri/catalog/procedureversion/{draft.pk}/change/").content.decode()
    assert "Trả kết quả trong ngày" in page and "Giờ chốt tiếp nhận" in page
    assert 'name="same_day"' in page and 'name="reception_cutoff"' in page
    assert draft.status == VersionStatus.DRAFT


def test_the_procedure_page_tells_the_citizen_the_rule(client: Any, agencies: Any) -> None:
    catalog_import(
        actor="test",
        document=catalog_document(
            procedure("1.001193", "Đăng ký khai sinh", processing_time_note=SAME_DAY_NOTES[0]),
            procedure("1.000002", "Cấp phép", field="XD", processing_time=5),
        ),
    )
    html = " ".join(client.get("/thu-tuc/1.001193/").content.decode().split())
    assert (
        "Trả kết quả trong ngày làm việc nếu hồ sơ được tiếp nhận trước 15:00; hồ sơ tiếp nhận từ 15:00 trở đi "
        "hoặc vào ngày nghỉ được trả kết quả trong ngày làm việc tiếp theo."
    ) in html
    assert "Ngày hẹn trả kết quả" not in client.get("/thu-tuc/1.000002/").content.decode()
    assert ProcedureVersion.objects.filter(same_day=True).count() == 1
