"""Deadlines of dossiers and steps: due instants, the paused clock, early / on time / late.

The national rule (Decision 766, indicator 2.1) compares the end of processing with the
appointment: on or before it is on time, after it is late. A step or dossier finished on an
earlier working day than its due day is early. Time paused for a supplement is added to the
due instants when the clock restarts, so it never counts against the agency; a dossier that
needed more than one supplement during processing, or whose appointment was moved with an
apology slip, counts as late whatever its end.
"""

import datetime
from decimal import Decimal
from typing import Protocol

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from motcua.catalog.constants import TimeUnit
from motcua.core.workdays import get_calendar
from motcua.dossiers.constants import SlipKind, Timeliness
from motcua.dossiers.models import Dossier, DossierPause, DossierSlip


def allotted_due(*, start: datetime.datetime, amount: Decimal, unit: str) -> datetime.datetime:
    """When something started at `start` with `amount` working days or hours is due."""
    calendar = get_calendar()
    if unit == TimeUnit.WORKING_HOUR:
        return calendar.add_working_hours(start, amount)
    return calendar.add_working_time(start, calendar.day_length * float(amount))


def process_step_due(*, dossier: Dossier, start: datetime.datetime, amount: Decimal, unit: str) -> datetime.datetime:
    """When a step of the dossier's process, started at `start` with its allotment, is due.

    In a same-day procedure the steps share the office time from the counting start to the
    appointment, each in proportion to its part of the legal time, and none runs past the
    appointment: a dossier received at 14:00 leaves its steps 3 hours, not the 7 h 30 their
    allotments add up to.
    """
    version = dossier.procedure_version
    if not version.same_day or dossier.due_at is None or dossier.received_at is None:
        return allotted_due(start=start, amount=amount, unit=unit)
    calendar = get_calendar()
    counting_start = calendar.counting_start(dossier.received_at, cutoff=version.reception_cutoff)
    available = calendar.working_time_between(counting_start, dossier.due_at)
    share = _working_time(amount, unit) * (
        available / _working_time(version.processing_time, version.processing_time_unit)
    )
    return min(calendar.add_working_time(start, share), dossier.due_at)


def _working_time(amount: Decimal, unit: str) -> datetime.timedelta:
    if unit == TimeUnit.WORKING_HOUR:
        return datetime.timedelta(hours=float(amount))
    return get_calendar().day_length * float(amount)


def classify(*, finished_at: datetime.datetime, due_at: datetime.datetime) -> Timeliness:
    if finished_at > due_at:
        return Timeliness.LATE
    if timezone.localdate(finished_at) < timezone.localdate(due_at):
        return Timeliness.EARLY
    return Timeliness.ON_TIME


class Timed(Protocol):
    """A step as a model instance or as a plain row: all the marks need."""

    @property
    def due_at(self) -> datetime.datetime: ...
    @property
    def finished_at(self) -> datetime.datetime | None: ...


def step_timeliness(step: Timed) -> Timeliness | None:
    """How a finished step did against its due instant; None while it runs."""
    if step.finished_at is None:
        return None
    return classify(finished_at=step.finished_at, due_at=step.due_at)


def step_is_overdue(step: Timed, *, now: datetime.datetime | None = None) -> bool:
    return step.finished_at is None and (now or timezone.now()) > step.due_at


def dossier_timeliness(dossier: Dossier) -> Timeliness | None:
    """How a processed dossier did against its appointment; None before it has a result."""
    if dossier.processed_at is None or dossier.due_at is None:
        return None
    return timeliness_from_facts(
        processed_at=dossier.processed_at,
        due_at=dossier.due_at,
        apologised=dossier.slips.filter(kind=SlipKind.APOLOGY).exists(),
        pause_count=dossier.pauses.count(),
    )


def timeliness_from_facts(
    *, processed_at: datetime.datetime | None, due_at: datetime.datetime | None, apologised: bool, pause_count: int
) -> Timeliness | None:
    """The national rule over a dossier's facts, as `with_timeliness_facts` annotates them."""
    if processed_at is None or due_at is None:
        return None
    if apologised or pause_count > 1:
        return Timeliness.LATE
    return classify(finished_at=processed_at, due_at=due_at)


def with_timeliness_facts(dossiers: QuerySet[Dossier]) -> QuerySet[Dossier]:
    """Dossiers annotated with what the rule needs beyond their own columns, so a register or a
    board counts thousands in one query: `apologised`, `pause_count`, and the local days of the
    result and of the appointment (`processed_day`, `due_day`) for "early"."""
    pauses = DossierPause.objects.filter(dossier=OuterRef("pk")).order_by().values("dossier").annotate(n=Count("pk"))
    return dossiers.annotate(
        apologised=Exists(DossierSlip.objects.filter(dossier=OuterRef("pk"), kind=SlipKind.APOLOGY)),
        pause_count=Coalesce(Subquery(pauses.values("n")), Value(0), output_field=IntegerField()),
        processed_day=TruncDate("processed_at"),
        due_day=TruncDate("due_at"),
    )


# The same rule as conditions on `with_timeliness_facts` rows, for counting in the database.
FINISHED = Q(processed_at__isnull=False)
LATE = FINISHED & (Q(processed_at__gt=F("due_at")) | Q(apologised=True) | Q(pause_count__gt=1))
EARLY = FINISHED & ~LATE & Q(processed_day__lt=F("due_day"))


def paused_working_time(*, started_at: datetime.datetime, ended_at: datetime.datetime) -> datetime.timedelta:
    return get_calendar().working_time_between(started_at, ended_at)


def shift(instant: datetime.datetime, by: datetime.timedelta) -> datetime.datetime:
    """`instant` moved forward by `by` of working time (a resumed clock)."""
    return get_calendar().add_working_time(instant, by)
