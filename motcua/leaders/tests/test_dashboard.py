"""Every dashboard number equals the count of the list it drills down to, per scope and filter,
whether it is summed from the daily counts or counted live; scopes not one's own are refused."""

import datetime
import re
from typing import Any

import pytest
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from motcua.catalog.constants import ProcedureLevel
from motcua.directory.constants import Role
from motcua.dossiers.testing import officer
from motcua.leaders.measures import MEASURES
from motcua.leaders.scopes import Scope, scope_resolve
from motcua.leaders.selectors import Filters, agency_ranking, drill_down, figures, officer_ranking
from motcua.leaders.testing import DAYS, FIRST_DAY, DataSet, data_set_made

pytestmark = pytest.mark.django_db
PERIOD = {"tu": FIRST_DAY.isoformat(), "den": (FIRST_DAY + datetime.timedelta(days=DAYS - 1)).isoformat()}
FILTERS = Filters(start=FIRST_DAY, end=FIRST_DAY + datetime.timedelta(days=DAYS - 1))


@pytest.fixture
def data(hung: Any, birth_version: Any) -> DataSet:
    return data_set_made(applicant=hung, version=birth_version)


@pytest.fixture
def supervisor() -> Any:
    return officer("tinh.gs", role=Role.SUPERVISOR)


def _scopes(data: DataSet, user: Any) -> list[Scope]:
    keys = ["tinh", f"co-quan-{data.ward.pk}", f"co-quan-{data.justice.pk}", f"bo-phan-{data.unit.pk}"]
    keys += [f"can-bo-{data.reception.pk}", f"can-bo-{data.specialist.pk}"]
    return [scope_resolve(user=user, key=key) for key in keys]


def test_known_counts_of_the_province(data: DataSet, supervisor: Any) -> None:
    shown = figures(scope_resolve(user=supervisor, key="tinh"), FILTERS)
    numbers = shown["numbers"]
    assert numbers["received"] == 56
    assert [numbers[f"received_{c}"] for c in ("online", "counter", "post_office", "national_portal")] == [14] * 4
    assert (numbers["finished_early"], numbers["finished_on_time"], numbers["finished_late"]) == (8, 8, 8)
    assert (numbers["in_progress_on_time"], numbers["in_progress_overdue"]) == (8, 8)
    assert (numbers["stopped"], numbers["withdrawn"]) == (8, 8)
    assert numbers["paid_online"] == 7 and numbers["fee_payable"] == 14
    assert (numbers["rated"], numbers["dissatisfied"]) == (12, 6)
    online, counter = shown["durations"]["finished_online"], shown["durations"]["finished_counter"]
    assert datetime.timedelta(days=1) <= online < datetime.timedelta(days=8)
    assert datetime.timedelta(days=1) <= counter < datetime.timedelta(days=8)


@pytest.mark.parametrize(
    "filters",
    [
        FILTERS,
        FILTERS.__class__(start=FILTERS.start, end=FILTERS.start + datetime.timedelta(days=3)),
        FILTERS.__class__(start=FILTERS.start, end=FILTERS.end, level=ProcedureLevel.COMMUNE),
    ],
)
def test_every_measure_equals_its_drill_down_list_in_every_scope(
    data: DataSet, supervisor: Any, filters: Filters, birth_version: Any
) -> None:
    for scope in _scopes(data, supervisor):
        shown = figures(scope, filters)["numbers"]
        for name in MEASURES:
            assert shown[name] == drill_down(scope, filters, name).count(), (scope.key, name)
    field = Filters(start=filters.start, end=filters.end, field_id=birth_version.field_id)
    assert figures(scope_resolve(user=supervisor, key="tinh"), field)["numbers"]["received"] > 0


def test_the_kept_counts_give_the_live_numbers(data: DataSet, supervisor: Any, birth_version: Any) -> None:
    scopes = _scopes(data, supervisor)
    # The province, the agencies and the officers (their own counts); a unit only live.
    assert [scope.count_filter is not None for scope in scopes] == [True, True, True, False, True, True]
    # A procedure chosen: the procedures' counts for the province and an agency, live for officers.
    procedure = Filters(start=FILTERS.start, end=FILTERS.end, procedure_id=birth_version.procedure_id)
    for kept in (scope for scope in scopes if scope.count_filter is not None):
        live = Scope(kept.key, kept.label, kept.q, None, kept.agency_ids)
        for filters in (FILTERS, procedure):
            assert figures(kept, filters)["numbers"] == figures(live, filters)["numbers"], kept.key
    assert figures(scopes[0], procedure)["numbers"]["received"] > 0


def test_trends_and_rankings_add_up_to_the_figures(data: DataSet, supervisor: Any) -> None:
    province = scope_resolve(user=supervisor, key="tinh")
    numbers = figures(province, FILTERS)["numbers"]
    for grain in ("ngay", "tuan", "thang"):
        rows = figures(province, FILTERS, grain=grain)["trend"]
        assert [row["key"] for row in rows] == sorted({row["key"] for row in rows})
        assert sum(row["received_online"] for row in rows) == numbers["received_online"]
        assert sum(row["finished_late"] for row in rows) == numbers["finished_late"]
    agencies = agency_ranking(province, FILTERS)
    assert sum(row["received"] for row in agencies) == 56
    assert [row["in_time_share"] for row in agencies] == sorted(
        (row["in_time_share"] for row in agencies), reverse=True
    )
    officers = {row["key"]: row for row in officer_ranking(province, FILTERS)}
    for user in (data.reception, data.specialist, data.stp_reception):
        own = scope_resolve(user=supervisor, key=f"can-bo-{user.pk}")
        for name in ("received", "in_progress", "finished_in_time", "returned", "rated"):
            assert officers[user.pk][name] == drill_down(own, FILTERS, name).count()
    assert officers[data.specialist.pk]["returned"] > 0


def _number_links(html: str) -> list[tuple[str, int]]:
    links = re.findall(r'href="(/can-bo/lanh-dao/ho-so/\?[^"]+)"[^>]*>(\d+)</a>', html)
    return [(url.replace("&amp;", "&"), int(number)) for url, number in links]


def _list_total(client: Any, url: str) -> int:
    html = client.get(url).content.decode()
    return int(re.search(r'data-testid="list-total">(\d+)', html).group(1))


def test_leader_page_numbers_link_to_lists_of_that_many(client: Any, data: DataSet) -> None:
    leader = officer("xa.ld", role=Role.LEADER)
    client.force_login(leader)
    for page in ("leaders:dashboard", "leaders:performance"):
        response = client.get(reverse(page), PERIOD)
        assert response.status_code == 200
        html = response.content.decode()
        links = _number_links(html)
        assert len(links) > 20
        for url, number in links[:: 3 if page == "leaders:dashboard" else 5]:
            assert f"pham-vi=co-quan-{data.ward.pk}" in url or "pham-vi=can-bo-" in url
            assert _list_total(client, url) == number, url
    html = client.get(reverse("leaders:dashboard"), PERIOD).content.decode()
    assert html.count("<canvas data-chart=") == 2 and html.count('data-testid="chart-table"') == 2
    assert 'id="received-chart-data" type="application/json"' in html
    assert "chart.umd.min.js" in html and "<script>" not in html
    # On a phone the tables stack: every number carries its column's name.
    assert html.count('<td class="mc-table__cell--numeric"') > 10
    assert re.findall(r'<td class="mc-table__cell--numeric"(?! data-label=")', html) == []
    performance = client.get(reverse("leaders:performance"), PERIOD).content.decode()
    assert re.findall(r'<td class="mc-table__cell--numeric"(?! data-label=")', performance) == []


def test_scopes_not_ones_own_are_refused(client: Any, data: DataSet) -> None:
    leader = officer("xa.ld", role=Role.LEADER)
    client.force_login(leader)
    for key in ("tinh", f"co-quan-{data.justice.pk}", f"can-bo-{data.stp_reception.pk}"):
        response = client.get(reverse("leaders:dashboard"), {"pham-vi": key})
        assert response.status_code == 403, key
        assert "không được xem số liệu của phạm vi này" in response.content.decode()
        assert client.get(reverse("leaders:dossiers"), {"pham-vi": key}).status_code == 403
    assert client.get(reverse("leaders:dashboard"), {"pham-vi": f"bo-phan-{data.unit.pk}"}).status_code == 200
    client.force_login(data.reception)
    assert client.get(reverse("leaders:dashboard"), {"pham-vi": f"co-quan-{data.ward.pk}"}).status_code == 403
    assert client.get(reverse("leaders:dashboard"), {"pham-vi": f"can-bo-{data.specialist.pk}"}).status_code == 403
    own = client.get(reverse("leaders:dashboard"), PERIOD)
    assert own.status_code == 200 and own.context["scope"].key == f"can-bo-{data.reception.pk}"


def test_reversed_period_is_an_error_and_an_empty_one_is_zeros(client: Any, data: DataSet) -> None:
    client.force_login(officer("xa.ld", role=Role.LEADER))
    reversed_ = client.get(reverse("leaders:dashboard"), {"tu": "2026-11-10", "den": "2026-11-01"})
    assert reversed_.status_code == 400
    assert "ngày bắt đầu (10/11/2026) sau ngày kết thúc (01/11/2026)" in reversed_.content.decode()
    assert client.get(reverse("leaders:dossiers"), {"tu": "2026-11-10", "den": "2026-11-01"}).status_code == 400
    assert client.get(reverse("leaders:dashboard"), {"tu": "hôm qua"}).status_code == 400
    # Well formed but impossible, or beyond any calendar: refused with the reason, not a 500.
    for impossible in ({"tu": "2026-13-45"}, {"den": "2026-02-30"}, {"tu": "0001-01-01", "den": "9999-12-31"}):
        for page in ("leaders:dashboard", "leaders:performance", "leaders:dossiers"):
            assert client.get(reverse(page), impossible).status_code == 400, (page, impossible)
    empty = client.get(reverse("leaders:dashboard"), {"tu": "2020-01-01", "den": "2020-01-31"})
    assert empty.status_code == 200
    assert {number for _url, number in _number_links(empty.content.decode())} == {0}
    assert client.get(reverse("leaders:performance"), {"tu": "2020-01-01", "den": "2020-01-31"}).status_code == 200


def test_scope_q_matches_the_agency_filter(data: DataSet, supervisor: Any) -> None:
    ward = scope_resolve(user=supervisor, key=f"co-quan-{data.ward.pk}")
    assert drill_down(ward, FILTERS, "received").count() == sum(1 for d in data.dossiers if d.agency == data.ward)
    assert ward.q == Q(agency_id=data.ward.pk)


def test_malformed_scopes_and_filters_are_400_absent_ones_404(client: Any, data: DataSet) -> None:
    client.force_login(officer("xa.ld", role=Role.LEADER))
    for params, words in (
        ({"pham-vi": "co-quan-x"}, "Phạm vi không hợp lệ: “co-quan-x”."),
        ({"pham-vi": "khac-1"}, "Phạm vi không hợp lệ: “khac-1”."),
        ({"linh-vuc": "abc"}, "Lĩnh vực không hợp lệ: “abc”."),
        ({"thu-tuc": "1.001193"}, "Thủ tục không hợp lệ: “1.001193”."),
        ({"cap": "trung-uong"}, "Cấp thực hiện không hợp lệ: “trung-uong”."),
    ):
        for page in ("leaders:dashboard", "leaders:performance", "leaders:dossiers"):
            response = client.get(reverse(page), PERIOD | params)
            assert response.status_code == 400, (page, params)
            html = response.content.decode()
            assert words in html
            if page != "leaders:dossiers":  # above the filter form, never a page that looks unfiltered
                assert html.index('data-testid="period-error"') < html.index('data-testid="leaders-filters"')
    assert "Xu hướng theo không hợp lệ" in client.get(reverse("leaders:dashboard"), {"theo": "nam"}).content.decode()
    assert client.get(reverse("leaders:dashboard"), {"theo": "nam"}).status_code == 400
    bogus = client.get(reverse("leaders:dossiers"), {"chi-so": "bogus"})
    assert bogus.status_code == 400 and "Chỉ số không hợp lệ: “bogus”." in bogus.content.decode()
    for params in ({"pham-vi": "co-quan-987654"}, {"pham-vi": "can-bo-987654"}, {"linh-vuc": "987654"}):
        assert client.get(reverse("leaders:dashboard"), PERIOD | params).status_code == 404, params
    assert client.get(reverse("leaders:dashboard"), PERIOD | {"cap": ProcedureLevel.COMMUNE}).status_code == 200


def test_a_future_period_is_refused_and_one_ending_after_today_is_cut(client: Any, data: DataSet) -> None:
    client.force_login(officer("xa.ld", role=Role.LEADER))
    today = timezone.localdate()
    tomorrow, later = today + datetime.timedelta(days=1), today + datetime.timedelta(days=40)
    for page in ("leaders:dashboard", "leaders:performance", "leaders:dossiers"):
        future = client.get(reverse(page), {"tu": tomorrow.isoformat(), "den": later.isoformat()})
        assert future.status_code == 400 and "Kỳ báo cáo bắt đầu sau hôm nay" in future.content.decode(), page
        cut = client.get(reverse(page), {"tu": today.replace(day=1).isoformat(), "den": later.isoformat()})
        assert cut.status_code == 200 and cut.context["end"] == today, page
    cut = client.get(reverse("leaders:dashboard"), {"tu": today.isoformat(), "den": later.isoformat()})
    assert f"không đến ngày {later:%d/%m/%Y} đã chọn" in cut.content.decode()


def test_trends_have_every_day_week_and_month_zeros_included(client: Any, data: DataSet, supervisor: Any) -> None:
    # The data set's days and five quiet ones either side.
    wider = Filters(start=FILTERS.start - datetime.timedelta(days=5), end=FILTERS.end + datetime.timedelta(days=5))
    province = scope_resolve(user=supervisor, key="tinh")
    days = figures(province, wider, grain="ngay")["trend"]
    assert [row["key"] for row in days] == [wider.start + datetime.timedelta(days=n) for n in range(DAYS + 10)]
    assert days[0]["received"] == 0 and days[-1]["received"] == 0
    weeks = [row["key"] for row in figures(province, wider, grain="tuan")["trend"]]
    monday = wider.start - datetime.timedelta(days=wider.start.weekday())
    assert weeks == [monday + datetime.timedelta(weeks=n) for n in range(len(weeks))]
    assert weeks[-1] > wider.end - datetime.timedelta(days=7)
    months = [row["key"] for row in figures(province, wider, grain="thang")["trend"]]
    assert months == [datetime.date(2026, 10, 1), datetime.date(2026, 11, 1)]
    client.force_login(supervisor)
    query = {"pham-vi": "tinh", "tu": wider.start.isoformat(), "den": wider.end.isoformat()}
    charts = client.get(reverse("leaders:dashboard"), query).context["charts"]
    for chart in charts:
        assert len(chart["rows"]) == DAYS + 10 and len(chart["data"]["labels"]) == DAYS + 10
        assert all(len(dataset["data"]) == DAYS + 10 for dataset in chart["data"]["datasets"])
        assert chart["rows"][0][2][0][1] == 0
