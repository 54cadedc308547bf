"""The statutory report's per-day counts kept from the domain events equal their rebuild from the
dossiers after real service calls, each flow on the day of its own event; the report over them
equals the per-dossier drill-down lists; its number of queries does not grow with the period; the
late dossiers' list walks reception times back and holds as many dossiers as the board counts
(from the kept counts)."""

import datetime
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.core.periods import Period
from motcua.delivery.testing import ward_staff
from motcua.dossiers.closing import dossier_stop, withdrawal_decide, withdrawal_request_submit
from motcua.dossiers.constants import Channel
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import dossier_withdraw
from motcua.dossiers.testing import submitted_dossier
from motcua.reports.models import StatutoryDailyCount, StatutoryMonthlyCount
from motcua.reports.selectors import late_count, late_dossiers
from motcua.reports.statutory import COLUMN_KEYS, Drill, drill_dossiers, statutory_report
from motcua.reports.statutory_counts import COLUMNS, statutory_counts_rebuild
from motcua.reports.tests.test_daily_counts import DAY_1, DAY_2, REASONS, _received, _returned

pytestmark = pytest.mark.django_db
DECEMBER = Period(datetime.date(2026, 12, 1), datetime.date(2026, 12, 31))


def _tables() -> list[list[tuple[Any, ...]]]:
    return [
        sorted(
            (row.agency_id, row.field_id, getattr(row, period), *(getattr(row, column) for column in COLUMNS))
            for row in model.objects.all()
        )
        for model, period in ((StatutoryDailyCount, "day"), (StatutoryMonthlyCount, "month"))
    ]


def _kept(day: datetime.date) -> dict[str, int]:
    (row,) = StatutoryDailyCount.objects.filter(day=day)
    return {column: getattr(row, column) for column in COLUMNS if getattr(row, column)}


def test_kept_counts_equal_the_rebuild_and_the_drill_down_lists(hung: Any, birth_version: Any) -> None:
    leader = ward_staff()["leader"]
    first = [_received(hung, birth_version, at=DAY_1, channel=channel) for channel in Channel.values]
    second = [_received(hung, birth_version, at=DAY_2) for _ in range(4)]
    due = first[0].due_at
    assert due is not None and due.date() == DAY_2.date()
    _returned(first[0], at=DAY_1 + datetime.timedelta(hours=2))  # early, on day 1
    _returned(first[1], at=due - datetime.timedelta(minutes=30))  # on time, on the due day
    late_day = due + datetime.timedelta(days=7)
    _returned(second[0], at=late_day)  # late, a week after the due day
    with time_machine.travel(DAY_2 + datetime.timedelta(hours=1), tick=False):
        ground = "Khoản 3 Điều 20 Nghị định 118"
        dossier_stop(dossier=first[2], officer=leader, reason=REASONS, legal_ground=ground, revision=None)
        withdrawal_request_submit(dossier=second[1], actor=hung, reason="Gia đình đã chuyển nơi cư trú", revision=None)
        withdrawal_decide(dossier=second[1], officer=leader, accept=True, note="", revision=None)
        # Withdrawn before its reception: never accepted, in no column.
        dossier_withdraw(dossier=submitted_dossier(hung, birth_version), actor=hung, reason="Nộp nhầm")

    # Each flow on the day of its event, not of the reception.
    assert _kept(DAY_1.date()) == {"received_online": 2, "received_direct": 2, "resolved_early": 1}
    assert _kept(DAY_2.date()) == {"received_online": 4, "resolved_on_time": 1, "withdrawn": 1, "stopped": 1}
    assert _kept(late_day.date()) == {"resolved_late": 1}
    (row,) = StatutoryMonthlyCount.objects.all()
    assert (row.month, row.received_online, row.received_direct, row.resolved_late) == (DECEMBER.start, 6, 2, 1)
    kept = _tables()
    assert statutory_counts_rebuild() == 3
    assert _tables() == kept

    periods = [
        DECEMBER,  # a whole month
        Period(DAY_2.date(), DAY_2.date()),  # days only
        Period(DAY_2.date(), late_day.date()),
        Period(datetime.date(2026, 11, 20), datetime.date(2027, 1, 5)),  # days, a whole month, days
        Period(datetime.date(2026, 11, 1), DAY_1.date()),  # a whole month and a day
    ]
    for period in periods:
        report = statutory_report(agencies=None, period=period)
        for key in COLUMN_KEYS:
            listed = drill_dossiers(agencies=None, period=period, drill=Drill(key)).count()
            assert report.total.counts[key] == listed, (period, key)
    total = statutory_report(agencies=None, period=DECEMBER).total.counts
    assert (total["tiep-nhan"], total["da-giai-quyet"], total["dang-giai-quyet"], total["rut"]) == (8, 3, 3, 1)
    # From the day after day 1: what day 1 left open is carried over.
    after_day_1 = statutory_report(agencies=None, period=Period(DAY_2.date(), DAY_2.date())).total.counts
    assert (after_day_1["ky-truoc"], after_day_1["moi-truc-tuyen"]) == (3, 4)


def test_the_reports_queries_do_not_grow_with_the_period(hung: Any, birth_version: Any) -> None:
    _received(hung, birth_version, at=DAY_1)
    counted = []
    for start in (datetime.date(2026, 12, 1), datetime.date(2024, 1, 1)):
        with CaptureQueriesContext(connection) as queries:
            report = statutory_report(agencies=None, period=Period(start, datetime.date(2026, 12, 31)))
        assert report.total.counts["moi-truc-tuyen"] == 1
        counted.append(len(queries))
    # The figures' statement, then the names of the agencies and of the fields.
    assert counted == [3, 3]


def test_the_late_list_is_newest_first_and_as_long_as_the_boards_number(
    client: Any, hung: Any, birth_version: Any
) -> None:
    received = [_received(hung, birth_version, at=DAY_1 + datetime.timedelta(hours=hours)) for hours in (0, 1, 2)]
    due = received[0].due_at
    assert due is not None
    _returned(received[0], at=due + datetime.timedelta(days=2))  # resolved late; the others open, overdue
    now = due + datetime.timedelta(days=3)
    listed = late_dossiers(start=DAY_1.date(), end=DAY_1.date(), now=now)
    assert [row["code"] for row in listed] == [dossier.code for dossier in reversed(received)]
    assert listed.count() == late_count(start=DAY_1.date(), end=DAY_1.date(), now=now) == 3
    query = f"?tu={DAY_1.date()}&den={DAY_1.date()}"
    with time_machine.travel(now, tick=False):
        assert client.get(f"/cong-khai/{query}").context["late_count"] == 3
        page = client.get(f"/cong-khai/tre-han/{query}").context["page_obj"]
    assert page.paginator.count == 3 and [row["code"] for row in page] == [row["code"] for row in listed]
    assert not late_dossiers(start=DAY_2.date(), end=DAY_2.date(), now=now).exists()
    # The period is whole local days: a dossier received at 23:30 belongs to its day, not the next.
    Dossier.objects.filter(pk=received[1].pk).update(received_at=DAY_2.replace(hour=23, minute=30))
    moved = late_dossiers(start=DAY_2.date(), end=DAY_2.date(), now=now)
    assert [row["code"] for row in moved] == [received[1].code]
    assert late_count(start=DAY_2.date(), end=DAY_2.date(), now=now) == 1
