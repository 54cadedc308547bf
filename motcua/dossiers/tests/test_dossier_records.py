"""The control sheet and the register come from the dossier's recorded steps: one row per
hand-over (consultations as their own out-and-back pair) marked early / on time / late by the
giving step's deadline, the form number of the circular in force on the reception date, and a
register workbook with the form's columns, real local dates, and no query per dossier."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from pypdf import PdfReader

from motcua.catalog.constants import StepKind
from motcua.directory.constants import OrgUnitKind, Role
from motcua.directory.models import Agency, OrgUnit
from motcua.directory.services import staff_ensure
from motcua.dossiers.constants import DossierStatus, SlipKind, StepStatus, Timeliness
from motcua.dossiers.deadlines import dossier_timeliness
from motcua.dossiers.models import Dossier, DossierPause, DossierSlip, DossierStep
from motcua.dossiers.records import control_sheet_pdf, control_sheet_rows, register_rows, register_xlsx

pytestmark = pytest.mark.django_db

VN = datetime.timezone(datetime.timedelta(hours=7))


def at(day: int, hour: int, minute: int = 0, month: int = 1, year: int = 2026) -> datetime.datetime:
    """A local (UTC+7) instant; 5-9 January 2026 is Monday to Friday."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=VN)


@pytest.fixture
def people(birth_version):  # type: ignore[no-untyped-def]
    ward = Agency.objects.get(code="UBND-24121")
    OrgUnit.objects.create(agency=ward, code="UBND-24121-MC", name="Bộ phận Một cửa", kind=OrgUnitKind.ONE_STOP)
    OrgUnit.objects.create(agency=ward, code="UBND-24121-TP", name="Tư pháp - Hộ tịch", kind=OrgUnitKind.DIVISION)

    def staff(username: str, name: str, role: str, agency: str, unit: str | None = None):  # type: ignore[no-untyped-def]
        return staff_ensure(actor="t", username=username, full_name=name, password="x", roles=[(role, agency, unit)])

    return {
        "reception": staff("mc", "Lê Thị Tiếp", Role.RECEPTION, "UBND-24121", "UBND-24121-MC"),
        "specialist": staff("cv", "Trần Văn Thụ", Role.SPECIALIST, "UBND-24121", "UBND-24121-TP"),
        "leader": staff("ld", "Phạm Minh Duyệt", Role.LEADER, "UBND-24121"),
        "stp": staff("stp", "Hoàng Thị Ý", Role.SPECIALIST, "STP"),
    }


def _dossier(hung, version, *, code: str, received_at: datetime.datetime, **fields) -> Dossier:  # type: ignore[no-untyped-def]
    return Dossier.objects.create(
        code=code,
        procedure_version=version,
        agency=Agency.objects.get(code="UBND-24121"),
        applicant=hung,
        received_at=received_at,
        **fields,
    )


def _step(dossier: Dossier, kind: str, name: str, **fields) -> DossierStep:  # type: ignore[no-untyped-def]
    fields.setdefault("agency", dossier.agency)
    fields.setdefault("role", Role.SPECIALIST)
    return DossierStep.objects.create(dossier=dossier, kind=kind, name=name, **fields)


@pytest.fixture
def journey(hung, birth_version, people):  # type: ignore[no-untyped-def]
    """Received Monday 5/1 08:00: reception early, processing late with an opinion of the
    justice department answered on time, approval on time, the result returned."""
    one_stop = OrgUnit.objects.get(code="UBND-24121-MC")
    justice = OrgUnit.objects.get(code="UBND-24121-TP")
    dossier = _dossier(
        hung,
        birth_version,
        code="000.01.50.H15-260105-0001",
        received_at=at(5, 8),
        due_at=at(8, 17),
        processed_at=at(8, 14),
        returned_at=at(9, 8),
        status=DossierStatus.RETURNED,
    )
    reception = _step(
        dossier,
        StepKind.RECEPTION,
        "Tiếp nhận hồ sơ",
        org_unit=one_stop,
        role=Role.RECEPTION,
        assignee=people["reception"],
        status=StepStatus.DONE,
        started_at=at(5, 8),
        due_at=at(6, 8),
        finished_at=at(5, 9),
        finished_by=people["reception"],
        note="  Hồ sơ đầy đủ.  ",
    )
    processing = _step(
        dossier,
        StepKind.PROCESS,
        "Thẩm định hồ sơ",
        org_unit=justice,
        assignee=people["specialist"],
        status=StepStatus.DONE,
        started_at=at(5, 9),
        due_at=at(7, 9),
        finished_at=at(8, 10),
        finished_by=people["specialist"],
    )
    _step(
        dossier,
        StepKind.CONSULT,
        "Cho ý kiến về quốc tịch",
        agency=Agency.objects.get(code="STP"),
        requested_by_step=processing,
        question="Xác định quốc tịch của trẻ",
        assignee=people["stp"],
        status=StepStatus.DONE,
        started_at=at(6, 10),
        due_at=at(7, 10),
        finished_at=at(7, 9),
        finished_by=people["stp"],
        note="Trẻ có quốc tịch Việt Nam",
    )
    _step(
        dossier,
        StepKind.APPROVE,
        "Phê duyệt kết quả",
        role=Role.LEADER,
        assignee=people["leader"],
        status=StepStatus.DONE,
        started_at=at(8, 10),
        due_at=at(8, 15),
        finished_at=at(8, 14),
        finished_by=people["leader"],
    )
    _step(
        dossier,
        StepKind.RETURN,
        "Trả kết quả",
        org_unit=one_stop,
        role=Role.RECEPTION,
        assignee=people["reception"],
        status=StepStatus.DONE,
        started_at=at(8, 14),
        due_at=at(9, 14),
        finished_at=at(9, 8),
        finished_by=people["reception"],
    )
    assert reception.pk
    return dossier


def _pdf_text(data: bytes) -> str:
    # Table cells wrap: compare with all runs of white space made one space.
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def test_rows_follow_the_file_from_hand_to_hand(journey) -> None:
    rows = control_sheet_rows(dossier=journey)
    assert [(row.at, row.giver, row.receiver, row.result) for row in rows] == [
        (
            at(5, 9),
            "UBND phường Tân Lập – Bộ phận Một cửa",
            "UBND phường Tân Lập – Tư pháp - Hộ tịch",
            Timeliness.EARLY,
        ),
        (at(6, 10), "UBND phường Tân Lập – Tư pháp - Hộ tịch", "Sở Tư pháp", None),
        (at(7, 9), "Sở Tư pháp", "UBND phường Tân Lập – Tư pháp - Hộ tịch", Timeliness.ON_TIME),
        (at(8, 10), "UBND phường Tân Lập – Tư pháp - Hộ tịch", "UBND phường Tân Lập", Timeliness.LATE),
        (at(8, 14), "UBND phường Tân Lập", "UBND phường Tân Lập – Bộ phận Một cửa", Timeliness.ON_TIME),
        (at(9, 8), "UBND phường Tân Lập – Bộ phận Một cửa", "Tổ chức, cá nhân", Timeliness.ON_TIME),
    ]
    first, ask, answer, *_rest, last = rows
    assert (first.giver_officer, first.receiver_officer, first.note) == ("Lê Thị Tiếp", "Trần Văn Thụ", "Hồ sơ đầy đủ.")
    assert first.result_label == "Trước hạn"
    assert (ask.giver_officer, ask.receiver_officer) == ("Trần Văn Thụ", "Hoàng Thị Ý")
    assert ask.note == "Xin ý kiến: Xác định quốc tịch của trẻ"
    assert (answer.giver_officer, answer.note) == ("Hoàng Thị Ý", "Trẻ có quốc tịch Việt Nam")
    assert last.receiver_officer == "Nguyễn Văn Hùng"
    assert first.at_text == "09 giờ 00 phút, ngày 05/01/2026"


def test_a_returned_step_and_an_unassigned_next_step(hung, birth_version, people) -> None:
    """The leader sends the file back: the hand-over says so, and the new processing step,
    not yet taken by anyone, receives it."""
    dossier = _dossier(hung, birth_version, code="X-1", received_at=at(5, 8), status=DossierStatus.IN_PROGRESS)
    _step(
        dossier,
        StepKind.PROCESS,
        "Thẩm định hồ sơ",
        assignee=people["specialist"],
        status=StepStatus.DONE,
        started_at=at(5, 8),
        due_at=at(6, 8),
        finished_at=at(5, 15),
        finished_by=people["specialist"],
    )
    _step(
        dossier,
        StepKind.APPROVE,
        "Phê duyệt kết quả",
        role=Role.LEADER,
        status=StepStatus.RETURNED,
        started_at=at(5, 15),
        due_at=at(6, 15),
        finished_at=at(6, 16),
        finished_by=people["leader"],
        note="Sai tên cha\n",
    )
    _step(dossier, StepKind.PROCESS, "Thẩm định hồ sơ", started_at=at(6, 16), due_at=at(7, 16))
    rows = control_sheet_rows(dossier=dossier)
    assert len(rows) == 2
    back = rows[1]
    assert back.note == "Trả lại: Sai tên cha"
    assert (back.giver_officer, back.receiver_officer, back.result) == ("Phạm Minh Duyệt", "—", Timeliness.LATE)


def test_control_sheet_pdf(journey) -> None:
    text = _pdf_text(control_sheet_pdf(dossier=journey))
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text
    assert journey.code in text and "Nguyễn Văn Hùng" in text
    assert "Quá hạn" in text and "Trước hạn" in text and "Đúng hạn" in text
    assert "Sở Tư pháp" in text and "Xác định quốc tịch" in text
    assert "Mẫu số 06" in text and "03/2025/TT-VPCP" in text
    assert "Kết quả giải quyết hồ sơ: Đúng hạn" in text


@pytest.mark.parametrize(
    ("received_at", "number", "circular"),
    [
        # 30/06/2025 23:30 in Hà Nội is still June: the old circular.
        (datetime.datetime(2025, 6, 30, 23, 30, tzinfo=VN), "05", "01/2018/TT-VPCP"),
        # 01/07/2025 00:30 in Hà Nội is 30/06 in UTC: the new circular all the same.
        (datetime.datetime(2025, 7, 1, 0, 30, tzinfo=VN), "06", "03/2025/TT-VPCP"),
    ],
)
def test_the_form_number_follows_the_reception_date(hung, birth_version, received_at, number, circular) -> None:
    dossier = _dossier(hung, birth_version, code="X-2", received_at=received_at, status=DossierStatus.RECEIVED)
    text = _pdf_text(control_sheet_pdf(dossier=dossier))
    assert f"Mẫu số {number}" in text and circular in text
    assert "Hồ sơ chưa được giao, nhận" in text


def test_register_workbook(journey, hung, birth_version) -> None:
    waiting = _dossier(
        hung, birth_version, code="000.01.50.H15-260106-0002", received_at=at(6, 9), status=DossierStatus.RECEIVED
    )
    Dossier.objects.filter(pk=journey.pk).update(returned_note='=HYPERLINK("http://x.example")\x07')
    data = register_xlsx(dossiers=Dossier.objects.filter(pk__in=[waiting.pk, journey.pk]), title="Tháng 01/2026")
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["A1"].value == "Mẫu số 07 – ban hành kèm theo Thông tư số 03/2025/TT-VPCP"
    assert sheet["A2"].value == "SỔ THEO DÕI HỒ SƠ" and sheet["A3"].value == "Tháng 01/2026"
    assert [sheet.cell(5, column).value for column in (1, 2, 3, 8, 11)] == [
        "STT",
        "Mã hồ sơ",
        "Tên thủ tục hành chính",
        "Nhận và chuyển hồ sơ",
        "Kết quả giải quyết hồ sơ",
    ]
    assert [sheet.cell(6, column).value for column in range(8, 14)] == [
        "Ngày, tháng, năm",
        "Hẹn trả kết quả",
        "Chuyển hồ sơ đến cơ quan giải quyết",
        "Có kết quả",
        "Trả kết quả cho cá nhân, tổ chức",
        "Trước hạn/Đúng hạn/Quá hạn",
    ]
    assert sheet.cell(5, 1).font.bold and sheet.freeze_panes == "C8"
    first = [cell.value for cell in sheet[8]]
    assert first[:7] == [
        1,
        journey.code,
        birth_version.name,
        1,
        "Nguyễn Văn Hùng",
        "Phường Tân Lập, tỉnh Đắk Lắk; ĐT: 0912345678",
        "UBND phường Tân Lập",
    ]
    assert first[7:12] == [
        datetime.datetime(2026, 1, 5, 8, 0),
        datetime.datetime(2026, 1, 8, 17, 0),
        datetime.datetime(2026, 1, 5, 9, 0),
        datetime.datetime(2026, 1, 8, 14, 0),
        datetime.datetime(2026, 1, 9, 8, 0),
    ]
    assert first[12] == "Đúng hạn"
    assert first[13] == '=HYPERLINK("http://x.example")' and sheet.cell(8, 14).data_type == "s"
    assert sheet.cell(8, 8).number_format == "dd/mm/yyyy hh:mm"
    second = [cell.value for cell in sheet[9]]
    assert second[:2] == [2, waiting.code] and second[8:13] == [None, None, None, None, None]
    assert second[13] == "Đã tiếp nhận"


def test_register_timeliness_agrees_with_the_deadline_rule(journey, hung, birth_version, people) -> None:
    """An apology slip, or more than one pause, makes a dossier late whatever its end."""
    apologised = _dossier(
        hung, birth_version, code="X-3", received_at=at(5, 8), due_at=at(9, 17), processed_at=at(6, 9)
    )
    DossierSlip.objects.create(
        dossier=apologised, kind=SlipKind.APOLOGY, form_set="x", form_number="04", issued_by=people["leader"]
    )
    paused = _dossier(hung, birth_version, code="X-4", received_at=at(5, 8), due_at=at(9, 17), processed_at=at(7, 9))
    for day in (5, 6):
        DossierPause.objects.create(
            dossier=paused, reason="Thiếu giấy", requested_by=people["specialist"], started_at=at(day, 10)
        )
    early = _dossier(hung, birth_version, code="X-5", received_at=at(5, 8), due_at=at(9, 17), processed_at=at(7, 9))
    rows = {row["code"]: row for row in register_rows(dossiers=Dossier.objects.all())}
    for dossier in (journey, apologised, paused, early):
        assert rows[dossier.code]["timeliness"] == dossier_timeliness(dossier), dossier.code
    assert [rows[code]["timeliness"] for code in ("X-3", "X-4", "X-5")] == [
        Timeliness.LATE,
        Timeliness.LATE,
        Timeliness.EARLY,
    ]
    assert "xin lỗi" in rows["X-3"]["note"]


def test_register_makes_no_query_per_dossier(journey, hung, birth_version) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            register_xlsx(dossiers=Dossier.objects.all(), title="t")
        return len(captured)

    few = queries()
    for number in range(20):
        copy = _dossier(hung, birth_version, code=f"Y-{number}", received_at=at(5, 8), processed_at=at(6, 8))
        _step(copy, StepKind.PROCESS, "Thẩm định hồ sơ", started_at=at(5, 8), due_at=at(6, 8))
    assert queries() == few
