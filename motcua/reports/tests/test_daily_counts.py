"""The daily counts kept from the domain events equal their rebuild from the dossiers and the
transparency board's live numbers, for a mix of dossiers driven through the real services; the
increments of two officers committing at once both count."""

import datetime
import threading
import time
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from motcua.catalog.constants import StepKind
from motcua.delivery.testing import ward_staff
from motcua.dossiers.closing import dossier_stop, withdrawal_decide, withdrawal_request_submit
from motcua.dossiers.constants import Channel, DossierStatus, Outcome
from motcua.dossiers.fees import fees_unpaid
from motcua.dossiers.models import Dossier, DossierStep
from motcua.dossiers.processing import (
    step_approve,
    step_forward,
    step_hand_over,
    step_issue,
    step_take,
)
from motcua.dossiers.reception import dossier_accept, dossier_refuse
from motcua.dossiers.testing import submitted_dossier
from motcua.events.tests.journeys import active
from motcua.payments.constants import PaymentMethod
from motcua.payments.counter import counter_payment_record
from motcua.reports.aggregates import COLUMNS, KEY, OFFICER_KEY, ROLLUPS, count_table, daily_count_add, dossier_recount
from motcua.reports.constants import Satisfaction
from motcua.reports.models import (
    AgencyDailyCount,
    CountedDossier,
    CountedParticipant,
    DailyDossierCount,
    OfficerDailyCount,
    ProcedureDailyCount,
    ProvinceDailyCount,
)
from motcua.reports.selectors import board_rows, board_rows_from_counts
from motcua.reports.services import rating_submit

pytestmark = pytest.mark.django_db
VN = datetime.timezone(datetime.timedelta(hours=7))
DAY_1 = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=VN)
DAY_2 = datetime.datetime(2026, 12, 2, 9, 0, tzinfo=VN)
REASONS = "Người nộp không thuộc đối tượng giải quyết của thủ tục"


def _table() -> list[tuple[Any, ...]]:
    """The rows of every daily count table, each by its key, and the officers' (with zeros left
    where an officer's last dossier of a day moved on, which a rebuild does not make)."""
    officers = ["officer_id", *OFFICER_KEY]
    tables: list[tuple[Any, list[str]]] = [*ROLLUPS.items(), (OfficerDailyCount, officers)]
    return [
        (model.__name__, *(getattr(row, name) for name in [*names, *COLUMNS]))
        for model, names in tables
        for row in model.objects.order_by(*names)
        if any(getattr(row, column) for column in COLUMNS)
    ] + sorted(CountedParticipant.objects.values_list("dossier_id", "officer_id"))


def _received(applicant: Any, version: Any, *, at: datetime.datetime, channel: str = Channel.ONLINE) -> Dossier:
    with time_machine.travel(at, tick=False):
        dossier = submitted_dossier(applicant, version)
        Dossier.objects.filter(pk=dossier.pk).update(channel=channel)
        dossier_accept(dossier=Dossier.objects.get(pk=dossier.pk), officer=ward_staff()["reception"], revision=None)
    return Dossier.objects.get(pk=dossier.pk)


def _returned(dossier: Dossier, *, at: datetime.datetime) -> Dossier:
    """Examined, approved, issued and handed over at `at`."""
    staff = ward_staff()
    with time_machine.travel(at, tick=False):
        if fees_unpaid(dossier):
            counter_payment_record(
                dossier=dossier, officer=staff["reception"], method=PaymentMethod.CASH, revision=None
            )
        process = active(dossier, StepKind.PROCESS)
        DossierStep.objects.filter(pk=process.pk).update(assignee=None)
        step_take(step=process, officer=staff["specialist"], revision=None)
        step_forward(step=process, officer=staff["specialist"], note="Hồ sơ hợp lệ", draft="", revision=None)
        approve = active(dossier, StepKind.APPROVE)
        step_approve(step=approve, leader=staff["leader"], decision=Outcome.GRANTED, note="", revision=None)
        step_issue(step=active(dossier, StepKind.ISSUE), clerk=staff["clerk"], revision=None)
        step_hand_over(step=active(dossier, StepKind.RETURN), officer=staff["reception"], note="", revision=None)
    return Dossier.objects.get(pk=dossier.pk)


def _rate(dossier: Dossier, applicant: Any, level: str) -> None:
    rating_submit(
        dossier=dossier, actor=applicant, agency_level=level, officer_level=level, result_level=level, comment=""
    )


def test_kept_counts_equal_the_rebuild_and_the_board(hung, birth_version) -> None:
    leader = ward_staff()["leader"]
    first = [_received(hung, birth_version, at=DAY_1, channel=channel) for channel in Channel.values]
    second = [_received(hung, birth_version, at=DAY_2) for _ in range(5)]
    due = first[0].due_at
    assert due is not None and timezone.localdate(due) > DAY_1.date()
    # Early on a day before the due day, on time on it, late a week after: each counts on its
    # reception day, whatever the day of its result.
    early = _returned(first[0], at=DAY_1 + datetime.timedelta(hours=2))
    _rate(early, hung, Satisfaction.VERY_SATISFIED)
    on_time = _returned(first[1], at=due - datetime.timedelta(minutes=30))
    _rate(on_time, hung, Satisfaction.DISSATISFIED)
    _returned(second[0], at=due + datetime.timedelta(days=7))
    with time_machine.travel(DAY_2 + datetime.timedelta(hours=1), tick=False):
        ground = "Khoản 3 Điều 20 Nghị định 118"
        dossier_stop(dossier=first[2], officer=leader, reason=REASONS, legal_ground=ground, revision=None)
        withdrawal_request_submit(dossier=second[1], actor=hung, reason="Gia đình đã chuyển nơi cư trú", revision=None)
        withdrawal_decide(dossier=second[1], officer=leader, accept=True, note="", revision=None)
        refused = submitted_dossier(hung, birth_version)
        dossier_refuse(dossier=refused, officer=ward_staff()["reception"], reasons=REASONS, revision=None)
    assert Dossier.objects.get(pk=refused.pk).status == DossierStatus.REJECTED

    kept = _table()
    (day_1, day_2) = DailyDossierCount.objects.order_by("day")
    assert (day_1.received_online, day_1.received_counter, day_1.received_post_office) == (1, 1, 1)
    assert (day_1.received_national_portal, day_1.finished_early, day_1.finished_on_time, day_1.stopped) == (1, 1, 1, 1)
    assert (day_1.rated, day_1.dissatisfied) == (2, 1)
    assert (day_2.received_online, day_2.finished_late, day_2.withdrawn, day_2.rejected) == (5, 1, 1, 1)
    # The province's rows and the agency's: the same sums, keyed by less.
    for table in (ProvinceDailyCount, AgencyDailyCount):
        assert [(row.received_online, row.finished_late) for row in table.objects.order_by("day")] == [(1, 0), (5, 1)]
    assert count_table({"agency_id", "day"}) is AgencyDailyCount
    assert count_table({"field_id", "level", "day"}) is ProvinceDailyCount
    assert count_table({"agency_id", "field_id", "day"}) is DailyDossierCount
    assert count_table({"agency_id", "procedure_id", "day"}) is ProcedureDailyCount
    assert count_table({"officer_id", "level", "day"}) is OfficerDailyCount
    assert count_table({"officer_id", "agency_id", "day"}) is None  # counted live
    assert count_table({"procedure_id", "field_id", "day"}) is None
    # The process steps went to the specialist at reception; reception received every dossier
    # (the refused one was never received).
    staff = ward_staff()
    specialist = OfficerDailyCount.objects.filter(officer=staff["specialist"]).aggregate(n=Sum("received_online"))
    assert specialist["n"] == 6  # first[0] and the five of the second day
    assert set(CountedParticipant.objects.filter(officer=staff["reception"]).values_list("dossier_id", flat=True)) == {
        dossier.pk for dossier in [*first, *second]
    }
    call_command("reports_rebuild", stdout=None)
    assert _table() == kept

    now = due + datetime.timedelta(days=30)
    for start in (DAY_1.date(), DAY_2.date()):
        for grouping in ("co-quan", "linh-vuc"):
            period = {"start": start, "end": datetime.date(2026, 12, 31), "grouping": grouping, "now": now}
            assert board_rows_from_counts(**period) == board_rows(**period)
    (row,) = board_rows_from_counts(start=DAY_1.date(), end=DAY_2.date(), now=now)
    assert (row.received, row.open, row.overdue_open, row.early, row.on_time, row.late) == (9, 4, 4, 1, 1, 1)


def test_a_recount_adds_only_the_difference(hung, birth_version) -> None:
    dossier = _received(hung, birth_version, at=DAY_1)
    for _ in range(3):
        dossier_recount(dossier.pk)
    (row,) = DailyDossierCount.objects.all()
    assert (row.received_online, row.received_counter, row.digitised) == (1, 0, 1)
    # A correction of the channel, then the dossier's next event: the count moves, once.
    Dossier.objects.filter(pk=dossier.pk).update(channel=Channel.COUNTER)
    dossier_recount(dossier.pk)
    dossier_recount(dossier.pk)
    (row,) = DailyDossierCount.objects.all()
    assert (row.received_online, row.received_counter, row.digitised) == (0, 1, 1)
    assert CountedDossier.objects.get(dossier=dossier).received_counter == 1
    # A correction that leaves the dossier uncounted takes its part away, from its officers too.
    Dossier.objects.filter(pk=dossier.pk).update(received_at=None, status=DossierStatus.SUBMITTED)
    dossier_recount(dossier.pk)
    assert not CountedDossier.objects.filter(dossier=dossier).exists()
    for table in (DailyDossierCount, AgencyDailyCount, OfficerDailyCount):
        assert not table.objects.filter(received_counter__gt=0).exists(), table.__name__


def _rated_part() -> dict[str, Any]:
    return {column: 0 for column in COLUMNS} | {"rated": 1}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite runs one writer at a time")
@pytest.mark.django_db(transaction=True)
def test_two_officers_creating_the_same_row_at_once_both_count(hung, birth_version) -> None:
    dossier = _received(hung, birth_version, at=DAY_1)
    key = CountedDossier.objects.filter(dossier=dossier).values(*KEY).get()
    DailyDossierCount.objects.all().delete()  # as before the day's first count
    first_added, second_started = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def officer(*, wait: threading.Event | None, signal: threading.Event) -> None:
        try:
            with transaction.atomic():
                if wait is not None:
                    wait.wait(5)
                daily_count_add(key=key, sign=1, part=_rated_part())
                signal.set()
                if wait is None:
                    # Hold the new row uncommitted while the second officer tries to make it too.
                    second_started.wait(5)
                    time.sleep(0.5)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=officer, kwargs={"wait": None, "signal": first_added}),
        threading.Thread(target=officer, kwargs={"wait": first_added, "signal": threading.Event()}),
    ]
    threads[0].start()
    threads[1].start()
    first_added.wait(5)
    second_started.set()
    for thread in threads:
        thread.join(10)
    assert not errors
    (row,) = DailyDossierCount.objects.all()
    assert row.rated == 2
