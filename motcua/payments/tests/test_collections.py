"""The collections report: figures per agency, fee type and channel over a period in Vietnam
time, each equal to the drill-down list behind it and to the Excel export; scoped by role."""

import datetime
import io
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.urls import reverse
from openpyxl import load_workbook

from motcua.catalog.constants import FeeKind
from motcua.core.periods import period_parse
from motcua.core.testing import citizen
from motcua.directory.constants import Role
from motcua.directory.models import Agency
from motcua.dossiers.testing import officer
from motcua.payments.collections import Drill, collections_report
from motcua.payments.constants import PaymentMethod, ReceiptStatus
from motcua.payments.export import RECEIPTS_SHEET, SUMMARY_SHEET
from motcua.payments.receipts import receipt_issue
from motcua.payments.tests.collections_data import owing_dossier, paid, refunded

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")
MARCH = {"tu": "2026-03-01", "den": "2026-03-31"}
REPORT = reverse("collections:report")
LIST = reverse("collections:list")
EXPORT = reverse("collections:export")


def at(*parts: int) -> datetime.datetime:
    return datetime.datetime(*parts, tzinfo=VN)


@pytest.fixture
def known(birth_version: Any) -> dict[str, Any]:
    """March 2026 in two agencies, with payments on both edges of the month and just outside."""
    hung = citizen()
    ward = Agency.objects.get(code="UBND-24121")
    justice = Agency.objects.get(code="STP")

    def pay(agency: Agency, fee: int, charge: int, method: str, when: datetime.datetime) -> Any:
        dossier = owing_dossier(hung, birth_version, agency=agency, fee=fee, charge=charge)
        return paid(dossier, method=method, at=when)

    first_instant = pay(ward, 50_000, 8_000, PaymentMethod.CASH, at(2026, 3, 1, 0, 0, 0))
    refunded_later = pay(ward, 0, 8_000, PaymentMethod.GATEWAY, at(2026, 3, 15, 9))
    pay(ward, 100_000, 0, PaymentMethod.CARD, at(2026, 3, 31, 23, 59, 59))
    pay(ward, 30_000, 0, PaymentMethod.NATIONAL, at(2026, 4, 1, 0, 0, 0))
    pay(ward, 20_000, 0, PaymentMethod.CASH, at(2026, 2, 28, 23, 59, 59))
    pay(justice, 70_000, 5_000, PaymentMethod.GATEWAY, at(2026, 3, 10, 14))
    mistaken = pay(justice, 40_000, 0, PaymentMethod.CASH, at(2026, 3, 11, 8))
    # The receipt is cancelled and replaced in April: the money still counts once, in March.
    with transaction.atomic():
        type(mistaken).objects.filter(pk=mistaken.pk).update(status=ReceiptStatus.CANCELLED, cancel_reason="Sai tên")
        replacement = receipt_issue(payment=mistaken.payment, actor=None, replaces=mistaken)
    type(replacement).objects.filter(pk=replacement.pk).update(issued_at=at(2026, 4, 2, 10))
    refunded(refunded_later, at=at(2026, 3, 20, 10))
    return {
        "ward": ward,
        "justice": justice,
        "first_instant": first_instant,
        "mistaken": mistaken,
        "replacement": replacement,
    }


def test_march_figures_per_agency_kind_and_channel(known: dict[str, Any]) -> None:
    report = collections_report(agencies=None, period=period_parse(start="2026-03-01", end="2026-03-31"))
    ward, justice = known["ward"].pk, known["justice"].pk
    assert [agency.code for agency in report.agencies] == ["STP", "UBND-24121"]
    figure = report.collected
    assert (figure(Drill(ward)).count, figure(Drill(ward)).amount) == (3, 166_000)
    assert figure(Drill(ward, kind=FeeKind.FEE)).amount == 150_000
    assert (figure(Drill(ward, kind=FeeKind.CHARGE)).count, figure(Drill(ward, kind=FeeKind.CHARGE)).amount) == (
        2,
        16_000,
    )
    assert figure(Drill(ward, method=PaymentMethod.CASH)).amount == 58_000
    assert figure(Drill(ward, method=PaymentMethod.CARD)).amount == 100_000
    assert figure(Drill(ward, method=PaymentMethod.NATIONAL)).count == 0
    assert (figure(Drill(justice)).count, figure(Drill(justice)).amount) == (2, 115_000)
    assert (report.total.collected.count, report.total.collected.amount) == (5, 281_000)
    assert report.total.refunded.amount == 8_000 and report.total.net == 273_000
    assert report.row(known["ward"]).net == 158_000


def _figure_links(html: str) -> list[tuple[str, str]]:
    links = re.findall(r'href="(/can-bo/thu-phi-le-phi/chi-tiet/\?[^"]+)">([^<]+)</a>', html)
    return [(href.replace("&amp;", "&"), text) for href, text in links]


def _digits(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def _shown(html: str, testid: str) -> int:
    match = re.search(rf'data-testid="{testid}">([^<]+)<', html)
    assert match is not None, testid
    return _digits(match.group(1))


def test_every_figure_is_a_link_to_the_list_behind_it(client: Any, known: dict[str, Any]) -> None:
    client.force_login(officer("giamsat", agency=None, role=Role.SUPERVISOR))
    page = client.get(REPORT, MARCH)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Toàn tỉnh" in html and "281.000" in html
    links = _figure_links(html)
    # Per row (2 agencies and the province): count, 3 kinds (lệ phí, phí, cước bưu chính), total,
    # refunded; then 4 channels.
    assert len(links) == 3 * 6 + 3 * 4
    for href, text in links:
        listed = client.get(href)
        assert listed.status_code == 200, href
        body = listed.content.decode()
        if text.endswith("đồng"):
            assert _shown(body, "list-amount") == _digits(text), href
        else:
            assert _shown(body, "list-count") == _digits(text), href


def test_cancelled_receipt_is_left_out_and_its_replacement_counted_once(client: Any, known: dict[str, Any]) -> None:
    client.force_login(officer("giamsat", agency=None, role=Role.SUPERVISOR))
    listed = client.get(LIST, {**MARCH, "co_quan": known["justice"].pk, "kenh": PaymentMethod.CASH}).content.decode()
    assert f"{known['replacement'].number:07d}" in listed
    assert f"{known['mistaken'].number:07d}" not in listed
    assert _shown(listed, "list-count") == 1 and _shown(listed, "list-amount") == 40_000
    # Replaced on 2 April, paid in March: April does not count it again.
    april = collections_report(agencies=None, period=period_parse(start="2026-04-01", end="2026-04-30"))
    assert (april.total.collected.count, april.total.collected.amount) == (1, 30_000)


def test_period_edges_are_vietnam_midnights(known: dict[str, Any]) -> None:
    def total(start: str, end: str) -> tuple[int, int]:
        row = collections_report(agencies=None, period=period_parse(start=start, end=end)).total
        return row.collected.count, row.collected.amount

    assert total("2026-03-01", "2026-03-01") == (1, 58_000)  # paid at 00:00:00 on 1 March
    assert total("2026-02-28", "2026-02-28") == (1, 20_000)  # 23:59:59 on 28 February
    assert total("2026-03-31", "2026-03-31") == (1, 100_000)
    assert total("2026-04-01", "2026-04-01") == (1, 30_000)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"tu": "2026-03-31", "den": "2026-03-01"}, "ngày bắt đầu (31/03/2026) sau ngày kết thúc (01/03/2026)"),
        ({"tu": "2026-02-30", "den": "2026-03-01"}, "Từ ngày không phải là một ngày hợp lệ."),
        ({"tu": "2020-01-01", "den": "2026-03-01"}, "Kỳ báo cáo dài quá ba năm"),
    ],
)
def test_a_bad_period_is_refused_with_the_reason(client: Any, birth_version: Any, query: Any, message: str) -> None:
    client.force_login(officer("giamsat", agency=None, role=Role.SUPERVISOR))
    for url in (REPORT, LIST, EXPORT):
        answer = client.get(url, query)
        assert answer.status_code == 400
        assert message in answer.content.decode()


def test_an_end_alone_reports_its_month(known: dict[str, Any]) -> None:
    period = period_parse(start="", end="2026-03-20")
    assert (period.start, period.end) == (datetime.date(2026, 3, 1), datetime.date(2026, 3, 20))


def test_an_empty_period_says_so(client: Any, known: dict[str, Any]) -> None:
    client.force_login(officer("giamsat", agency=None, role=Role.SUPERVISOR))
    html = client.get(REPORT, {"tu": "2025-01-01", "den": "2025-01-31"}).content.decode()
    assert "Không có khoản thu hay hoàn trả nào từ 01/01/2025 đến 31/01/2025." in html


def test_agency_staff_see_their_agency_and_others_are_refused(client: Any, known: dict[str, Any]) -> None:
    for role in (Role.FINANCE, Role.LEADER, Role.AGENCY_ADMIN):
        client.force_login(officer(f"xa.{role}", role=role))
        html = client.get(REPORT, MARCH).content.decode()
        assert "UBND phường Tân Lập" in html and "Sở Tư pháp" not in html and "Toàn tỉnh" not in html
        assert "166.000" in html and "281.000" not in html
        assert client.get(LIST, {**MARCH, "co_quan": known["justice"].pk}).status_code == 403
        whole = client.get(LIST, MARCH).content.decode()
        assert _shown(whole, "list-count") == 3
    for user in (
        officer("xa.motcua", role=Role.RECEPTION),
        officer("xa.cv", role=Role.SPECIALIST),
        citizen(phone="0987654321", id_number="066181000202"),
    ):
        client.force_login(user)
        for url in (REPORT, LIST, EXPORT):
            assert client.get(url, MARCH).status_code == 403
    client.logout()
    assert client.get(REPORT).status_code == 302


def test_the_back_office_home_links_the_report_for_those_who_see_it(client: Any, birth_version: Any) -> None:
    client.force_login(officer("xa.ketoan", role=Role.FINANCE))
    assert REPORT in client.get(reverse("backoffice:home")).content.decode()
    client.force_login(officer("xa.motcua", role=Role.RECEPTION))
    assert REPORT not in client.get(reverse("backoffice:home")).content.decode()


def test_excel_totals_equal_the_page(client: Any, known: dict[str, Any]) -> None:
    client.force_login(officer("giamsat", agency=None, role=Role.SUPERVISOR))
    answer = client.get(EXPORT, MARCH)
    assert answer.status_code == 200
    assert answer["Content-Disposition"] == 'attachment; filename="thu-phi-le-phi-20260301-20260331.xlsx"'
    workbook = load_workbook(io.BytesIO(answer.content))
    summary = list(workbook[SUMMARY_SHEET].iter_rows(values_only=True))
    header = summary[0]
    assert header[:6] == ("Cơ quan thu", "Số biên lai", "Lệ phí", "Phí", "Cước bưu chính", "Tổng thu")
    total = next(row for row in summary if row and row[0] == "Toàn tỉnh")
    named = dict(zip(header, total, strict=True))
    assert (named["Số biên lai"], named["Lệ phí"], named["Phí"], named["Tổng thu"]) == (5, 260_000, 21_000, 281_000)
    assert named["Cước bưu chính"] == 0
    assert (named["Đã hoàn trả"], named["Thực thu"]) == (8_000, 273_000)
    assert workbook[SUMMARY_SHEET]["F2"].number_format == '#,##0 "đ"'
    page = client.get(REPORT, MARCH).content.decode()
    assert f"{named['Tổng thu']:,}".replace(",", ".") in page
    receipts = list(workbook[RECEIPTS_SHEET].iter_rows(min_row=2, values_only=True))
    assert len(receipts) == 5 and sum(row[-1] for row in receipts) == 281_000
    assert sum(row[-4] for row in receipts) == 260_000  # the lệ phí column
