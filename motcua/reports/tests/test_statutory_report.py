"""The statutory report counts a known data set: carried over, new by channel, resolved by the
national rule, in progress at the period's end, withdrawn and stopped; every cell is the length
of its drill-down list, agencies and fields add up to the total, the identity holds, and the
Excel and PDF files say what the page says."""

import datetime
import io
import subprocess
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from openpyxl import load_workbook

from motcua.catalog.models import Procedure
from motcua.core.periods import Period, period_parse
from motcua.core.testing import BIRTH, citizen, load_catalog, procedure
from motcua.directory.constants import Role
from motcua.directory.models import Agency
from motcua.dossiers.constants import Channel, DossierStatus, SlipKind
from motcua.dossiers.models import Dossier, DossierSlip, DossierStatusChange
from motcua.dossiers.testing import officer
from motcua.reports.statutory import (
    COLUMN_KEYS,
    Drill,
    column_title,
    drill_count,
    drill_dossiers,
    statutory_report,
)
from motcua.reports.statutory_counts import statutory_counts_rebuild

pytestmark = pytest.mark.django_db
VN = datetime.timezone(datetime.timedelta(hours=7))
NOVEMBER = Period(start=datetime.date(2026, 11, 1), end=datetime.date(2026, 11, 30))
QUERY = "tu=2026-11-01&den=2026-11-30"
URL = "/can-bo/bao-cao-giai-quyet-tthc/"
WARD, DEPARTMENT = "UBND phường Tân Lập", "Sở Tư pháp"
CIVIL, BUILDING = "Hộ tịch", "Hoạt động xây dựng"


def at(month: int, day: int, hour: int = 9) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, 0, tzinfo=VN)


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    load_catalog(BIRTH, procedure("1.009999", "Cấp giấy phép xây dựng", field="XD"))
    applicant = citizen()
    versions = {
        CIVIL: Procedure.objects.get(code="1.001193").current_version,
        BUILDING: Procedure.objects.get(code="1.009999").current_version,
    }
    agencies = {agency.name: agency for agency in Agency.objects.all()}
    made: list[Dossier] = []

    def dossier(agency: str, field: str, received: datetime.datetime | None, due: datetime.datetime, **kw: Any) -> None:
        ended = kw.pop("ended", None)
        status = kw.pop("status", DossierStatus.PROCESSED if kw.get("processed_at") else DossierStatus.IN_PROGRESS)
        row = Dossier.objects.create(
            code=f"T-{len(made) + 1:03d}",
            procedure_version=versions[field],
            agency=agencies[agency],
            applicant=applicant,
            status=status,
            received_at=received,
            due_at=due,
            **{"channel": Channel.ONLINE, **kw},
        )
        if ended is not None:
            change = DossierStatusChange.objects.create(
                dossier=row, from_status=DossierStatus.IN_PROGRESS, to_status=status
            )
            DossierStatusChange.objects.filter(pk=change.pk).update(created_at=ended)
        made.append(row)

    # Ward, civil status.
    dossier(WARD, CIVIL, at(10, 20), at(11, 5), processed_at=at(11, 3))  # carried, resolved early
    dossier(WARD, CIVIL, at(10, 25), at(10, 30))  # carried, in progress, late
    dossier(WARD, CIVIL, at(11, 2), at(11, 10, 8), processed_at=at(11, 10, 7))  # new online, on time
    dossier(WARD, CIVIL, at(11, 3), at(11, 5), processed_at=at(11, 6), channel=Channel.COUNTER)  # late
    dossier(WARD, CIVIL, at(11, 20), at(12, 5), channel=Channel.NATIONAL_PORTAL)  # online, in progress, on time
    dossier(
        WARD,
        CIVIL,
        at(11, 21),
        at(12, 5),
        channel=Channel.POST_OFFICE,
        status=DossierStatus.WITHDRAWN,
        ended=at(11, 25),
    )
    # In no column: resolved, withdrawn before the period, received after it, never received.
    dossier(WARD, CIVIL, at(10, 1), at(10, 12), processed_at=at(10, 10))
    dossier(WARD, CIVIL, at(10, 2), at(10, 12), status=DossierStatus.WITHDRAWN, ended=at(10, 15))
    dossier(WARD, CIVIL, at(12, 2), at(12, 5))
    dossier(WARD, CIVIL, None, at(12, 5), status=DossierStatus.REJECTED)
    # Ward, building.
    dossier(
        WARD, BUILDING, at(11, 4), at(11, 6), channel=Channel.COUNTER, status=DossierStatus.STOPPED, ended=at(11, 5)
    )
    dossier(WARD, BUILDING, at(10, 28), at(12, 1), processed_at=at(12, 3))  # carried, in progress on time at end
    # Department, civil status.
    dossier(DEPARTMENT, CIVIL, at(11, 10), at(11, 12), processed_at=at(11, 11))  # early
    dossier(DEPARTMENT, CIVIL, at(10, 30), at(11, 25), status=DossierStatus.STOPPED, ended=at(12, 2))  # late at end
    dossier(DEPARTMENT, CIVIL, at(11, 12), at(12, 10))  # in progress, late: apologised
    DossierSlip.objects.create(
        dossier=made[-1], kind=SlipKind.APOLOGY, form_set="x", form_number="04", issued_by=officer("a")
    )
    # Written directly, without events: the kept counts are rebuilt as after an import.
    statutory_counts_rebuild()
    return {"agencies": agencies}


#         received  carried online direct | resolved early on-time late | open on-time late | withdrawn stopped
EXPECTED = {
    (WARD, CIVIL): [6, 2, 2, 2, 3, 1, 1, 1, 2, 1, 1, 1, 0],
    (WARD, BUILDING): [2, 1, 0, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1],
    (DEPARTMENT, CIVIL): [3, 1, 2, 0, 1, 1, 0, 0, 2, 0, 2, 0, 0],
}
TOTAL = [11, 4, 4, 3, 4, 2, 1, 1, 5, 2, 3, 1, 1]


def _figures(report: Any) -> dict[tuple[str, ...], list[int]]:
    figures: dict[tuple[str, ...], list[int]] = {("",): report.total.values}
    for agency in report.agencies:
        figures[(agency.name,)] = agency.values
        figures.update({(agency.name, field.name): field.values for field in agency.fields})
    return figures


def test_the_report_counts_the_known_data_set(world: dict[str, Any]) -> None:
    report = statutory_report(agencies=None, period=NOVEMBER)
    figures = _figures(report)
    assert {key: value for key, value in figures.items() if len(key) == 2} == EXPECTED
    assert figures[(WARD,)] == [a + b for a, b in zip(EXPECTED[(WARD, CIVIL)], EXPECTED[(WARD, BUILDING)], strict=True)]
    assert figures[(DEPARTMENT,)] == EXPECTED[(DEPARTMENT, CIVIL)]
    assert report.total.values == TOTAL
    for values in figures.values():
        counts = dict(zip(COLUMN_KEYS, values, strict=True))
        assert counts["tiep-nhan"] == counts["ky-truoc"] + counts["moi-truc-tuyen"] + counts["moi-truc-tiep"]
        assert counts["da-giai-quyet"] == counts["truoc-han"] + counts["dung-han"] + counts["qua-han"]
        assert counts["dang-giai-quyet"] == counts["dang-trong-han"] + counts["dang-qua-han"]
        assert (
            counts["tiep-nhan"] == counts["da-giai-quyet"] + counts["dang-giai-quyet"] + counts["rut"] + counts["dung"]
        )


def test_every_cell_is_the_length_of_its_drill_down_list(world: dict[str, Any]) -> None:
    report = statutory_report(agencies=None, period=NOVEMBER)
    rows = [report.total, *report.agencies, *(field for agency in report.agencies for field in agency.fields)]
    for row in rows:
        for key in COLUMN_KEYS:
            drill = Drill(key, row.drill.agency_id, row.drill.field_id)
            assert drill_dossiers(agencies=None, period=NOVEMBER, drill=drill).count() == row.counts[key], (
                row.name,
                key,
            )
            # The list page's count, read from the kept figures, is that length too.
            assert drill_count(agencies=None, period=NOVEMBER, drill=drill) == row.counts[key]
    # What the next period carries over is what this one left in progress.
    december = Period(start=datetime.date(2026, 12, 1), end=datetime.date(2026, 12, 31))
    assert statutory_report(agencies=None, period=december).total.counts["ky-truoc"] == TOTAL[8]


def test_the_page_links_each_total_to_a_list_of_as_many_dossiers(client: Any, world: dict[str, Any]) -> None:
    client.force_login(officer("giam-sat", role=Role.SUPERVISOR, agency=""))
    page = client.get(f"{URL}?{QUERY}")
    assert page.status_code == 200
    total_row = page.content.decode().split('data-testid="statutory-total"')[1].split("</tr>")[0]
    for key, number in zip(COLUMN_KEYS, TOTAL, strict=True):
        assert f">{number}<" in total_row
        listed = client.get(f"{URL}chi-tiet/?{QUERY}&cot={key}")
        assert listed.context["count"] == number, key
    text = client.get(f"{URL}chi-tiet/?{QUERY}&cot=dang-qua-han").content.decode()
    assert "T-002" in text and "T-014" in text and "Nguyễn Văn Hùng" not in text and "066094000103" not in text


def test_an_empty_period_is_zeros_and_a_reversed_one_is_refused(client: Any, world: dict[str, Any]) -> None:
    empty = statutory_report(agencies=None, period=Period(datetime.date(2020, 1, 1), datetime.date(2020, 1, 31)))
    assert empty.empty and empty.total.values == [0] * len(COLUMN_KEYS)
    client.force_login(officer("giam-sat", role=Role.SUPERVISOR, agency=""))
    page = client.get(f"{URL}?tu=2020-01-01&den=2020-01-31")
    assert page.status_code == 200 and b'data-testid="statutory-empty"' in page.content
    for path in ("", "chi-tiet/", "excel/", "pdf/"):
        reversed_ = client.get(f"{URL}{path}?tu=2026-11-30&den=2026-11-01&cot=rut")
        assert reversed_.status_code == 400
        assert "Kỳ báo cáo không hợp lệ: ngày bắt đầu (30/11/2026) sau ngày kết thúc (01/11/2026)" in (
            reversed_.content.decode()
        )


def test_a_leader_sees_their_agency_and_is_refused_another(client: Any, world: dict[str, Any]) -> None:
    department = world["agencies"][DEPARTMENT]
    client.force_login(officer("lanh-dao", role=Role.LEADER))
    page = client.get(f"{URL}?{QUERY}")
    assert [row.name for row in page.context["report"].agencies] == [WARD]
    assert page.context["report"].total.values == [
        a + b for a, b in zip(EXPECTED[(WARD, CIVIL)], EXPECTED[(WARD, BUILDING)], strict=True)
    ]
    for path in ("", "chi-tiet/", "excel/", "pdf/"):
        assert client.get(f"{URL}{path}?{QUERY}&cot=tiep-nhan&co_quan={department.pk}").status_code == 403
    ward_only = client.get(f"{URL}chi-tiet/?{QUERY}&cot=tiep-nhan")
    assert ward_only.context["count"] == 8
    client.force_login(officer("mot-cua", role=Role.RECEPTION))
    assert client.get(f"{URL}?{QUERY}").status_code == 403


def test_the_excel_file_holds_the_pages_numbers(client: Any, world: dict[str, Any]) -> None:
    client.force_login(officer("giam-sat", role=Role.SUPERVISOR, agency=""))
    response = client.get(f"{URL}excel/?{QUERY}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = {
        str(row[0]).strip(): list(row[1:14])
        for row in sheet.iter_rows(min_row=7, values_only=True)
        if row[0] is not None
    }
    assert rows["Tổng cộng"] == TOTAL
    assert rows[WARD] == [a + b for a, b in zip(EXPECTED[(WARD, CIVIL)], EXPECTED[(WARD, BUILDING)], strict=True)]
    assert rows[BUILDING] == EXPECTED[(WARD, BUILDING)]
    merged = {str(cells) for cells in sheet.merged_cells.ranges}
    assert {"A5:A6", "B5:E5", "F5:I5", "J5:L5", "M5:N5"} <= merged
    assert "01/11/2026" in str(sheet["A3"].value) and "Người lập biểu" in [c.value for c in sheet[sheet.max_row - 1]]


def test_the_pdf_shows_the_form_and_its_totals(client: Any, world: dict[str, Any]) -> None:
    client.force_login(officer("giam-sat", role=Role.SUPERVISOR, agency=""))
    response = client.get(f"{URL}pdf/?{QUERY}")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=response.content, capture_output=True, check=True)
    lines = text.stdout.decode().splitlines()
    (total,) = [line for line in lines if "Tổng cộng" in line]
    assert total.split()[2:] == [str(number) for number in TOTAL]
    joined = "\n".join(lines)
    assert "BÁO CÁO TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH" in joined
    assert "Người lập biểu" in joined and "Thủ trưởng đơn vị" in joined and "01/11/2026" in joined


def test_a_running_period_judges_overdue_now_not_at_its_end(client: Any, world: dict[str, Any]) -> None:
    # T-005, received on 20/11 at 9:00, is due that afternoon; at 10:00 it is not overdue yet.
    Dossier.objects.filter(code="T-005").update(due_at=at(11, 20, 15))
    client.force_login(officer("giam-sat", role=Role.SUPERVISOR, agency=""))
    with time_machine.travel(at(11, 20, 10), tick=False):
        period = period_parse(start="2026-11-01", end="2026-11-30", so_far=True)
        assert period == Period(datetime.date(2026, 11, 1), datetime.date(2026, 11, 20))
        report = statutory_report(agencies=None, period=period)
        for row in [report.total, *report.agencies, *(field for agency in report.agencies for field in agency.fields)]:
            for key in COLUMN_KEYS:
                drill = Drill(key, row.drill.agency_id, row.drill.field_id)
                assert drill_dossiers(agencies=None, period=period, drill=drill).count() == row.counts[key], key
        on_time = client.get(f"{URL}chi-tiet/?{QUERY}&cot=dang-trong-han").content.decode()
        overdue = client.get(f"{URL}chi-tiet/?{QUERY}&cot=dang-qua-han").content.decode()
        assert "T-005" in on_time and "T-005" not in overdue
        workbook = load_workbook(io.BytesIO(client.get(f"{URL}excel/?{QUERY}").content)).active
        assert workbook is not None
        totals = [row for row in workbook.iter_rows(min_row=7, values_only=True) if row[0] == "Tổng cộng"]
        assert list(totals[0][10:12]) == [report.total.counts["dang-trong-han"], report.total.counts["dang-qua-han"]]
    # Judged at the end of a past day, it was overdue.
    past = statutory_report(agencies=None, period=Period(datetime.date(2026, 11, 1), datetime.date(2026, 11, 20)))
    assert past.total.counts["dang-qua-han"] == report.total.counts["dang-qua-han"] + 1


def test_a_future_period_is_refused_and_one_ending_after_today_is_cut(client: Any, world: dict[str, Any]) -> None:
    client.force_login(officer("giam-sat", role=Role.SUPERVISOR, agency=""))
    today = timezone.localdate()
    tomorrow, later = today + datetime.timedelta(days=1), today + datetime.timedelta(days=40)
    for path in ("", "chi-tiet/", "excel/", "pdf/"):
        future = client.get(f"{URL}{path}?tu={tomorrow}&den={later}&cot=ky-truoc")
        assert future.status_code == 400, path
        assert "Kỳ báo cáo bắt đầu sau hôm nay" in future.content.decode()
    page = client.get(f"{URL}?tu={today.replace(day=1)}&den={later}")
    assert page.status_code == 200 and page.context["report"].period.end == today
    assert 'data-testid="period-clamped"' in page.content.decode()
    assert f"không đến ngày {later:%d/%m/%Y} đã chọn" in page.content.decode()


def test_a_malformed_agency_is_400_an_absent_one_404_another_403(client: Any, world: dict[str, Any]) -> None:
    department = world["agencies"][DEPARTMENT]
    client.force_login(officer("lanh-dao", role=Role.LEADER))
    for path in ("", "chi-tiet/", "excel/", "pdf/"):
        malformed = client.get(f"{URL}{path}?{QUERY}&cot=tiep-nhan&co_quan=abc")
        assert malformed.status_code == 400 and "Cơ quan không hợp lệ" in malformed.content.decode(), path
        assert client.get(f"{URL}{path}?{QUERY}&cot=tiep-nhan&co_quan=987654").status_code == 404, path
        assert client.get(f"{URL}{path}?{QUERY}&cot=tiep-nhan&co_quan={department.pk}").status_code == 403, path
    for query, status in (("cot=khac", 400), ("", 400), ("cot=rut&linh_vuc=x", 400), ("cot=rut&linh_vuc=987654", 404)):
        assert client.get(f"{URL}chi-tiet/?{QUERY}&{query}").status_code == status, query
    assert "Cột báo cáo không hợp lệ" in client.get(f"{URL}chi-tiet/?{QUERY}&cot=khac").content.decode()


def test_each_drill_down_title_names_its_group_and_column(client: Any, world: dict[str, Any]) -> None:
    assert len({column_title(key) for key in COLUMN_KEYS}) == len(COLUMN_KEYS)
    client.force_login(officer("giam-sat", role=Role.SUPERVISOR, agency=""))
    for key, title in (
        ("dang-qua-han", "Số hồ sơ đang giải quyết (đến hết kỳ) — Quá hạn"),
        ("qua-han", "Số hồ sơ đã giải quyết — Quá hạn"),
        ("tiep-nhan", "Số hồ sơ nhận giải quyết — Tổng số"),
    ):
        html = client.get(f"{URL}chi-tiet/?{QUERY}&cot={key}").content.decode()
        assert f'data-testid="statutory-list-title">{title}</h1>' in html
        assert f"<title>{title} –" in html
