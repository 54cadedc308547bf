"""Public statistics of the transparency board, computed in the database.

The early / on time / late rule is `motcua.dossiers.deadlines`' SQL form of the national rule,
so a month of a province's dossiers is counted in one query.
"""

import datetime
import operator
from dataclasses import dataclass
from functools import reduce
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from motcua.core.periods import Period
from motcua.directory.constants import PROVINCE_WIDE_ROLES, Role
from motcua.directory.models import StaffRole
from motcua.dossiers.constants import Channel, DossierStatus, SlipKind
from motcua.dossiers.deadlines import EARLY, FINISHED, LATE, with_timeliness_facts
from motcua.dossiers.models import Dossier, DossierSlip
from motcua.reports.constants import Satisfaction
from motcua.reports.models import AgencyDailyCount, Feedback, ProvinceDailyCount, SatisfactionRating

OPEN = [DossierStatus.RECEIVED, DossierStatus.IN_PROGRESS, DossierStatus.PAUSED]
GROUPINGS = {"co-quan": "agency__name", "linh-vuc": "procedure_version__field__name"}


@dataclass(frozen=True)
class BoardRow:
    name: str
    received: int
    open: int
    overdue_open: int
    finished: int
    early: int
    on_time: int
    late: int
    online: int
    # Ended without a result (neither pending nor late): stopped by the agency, withdrawn at
    # the applicant's request after acceptance.
    stopped: int = 0
    withdrawn: int = 0
    rated: int = 0
    disliked: int = 0

    @property
    def satisfied_rate(self) -> float | None:
        """Share of ratings without a "dissatisfied", in per cent; None without ratings."""
        return _satisfied_rate(self.rated, self.disliked)

    @property
    def on_time_rate(self) -> float | None:
        """Share finished early or on time, in per cent; None when nothing is finished yet."""
        return round(100 * (self.early + self.on_time) / self.finished, 1) if self.finished else None

    @property
    def online_rate(self) -> float | None:
        return round(100 * self.online / self.received, 1) if self.received else None


def _received_between(start: datetime.date, end: datetime.date) -> QuerySet[Dossier]:
    """Received on the local days [start, end]: as bounds on `received_at`, so its index serves."""
    first, after = Period(start, end).bounds()
    return Dossier.objects.filter(received_at__gte=first, received_at__lt=after)


def board_rows(
    *, start: datetime.date, end: datetime.date, grouping: str = "co-quan", now: datetime.datetime | None = None
) -> list[BoardRow]:
    """Dossiers received in [start, end] per agency or per field, busiest first."""
    now = now or timezone.now()
    key = GROUPINGS.get(grouping, GROUPINGS["co-quan"])
    open_ = Q(processed_at__isnull=True, status__in=OPEN)
    rows = (
        with_timeliness_facts(_received_between(start, end))
        .values(key)
        .annotate(
            received=Count("id"),
            open=Count("id", filter=open_),
            overdue_open=Count("id", filter=open_ & Q(due_at__lt=now)),
            finished=Count("id", filter=FINISHED),
            early=Count("id", filter=EARLY),
            late=Count("id", filter=LATE),
            online=Count("id", filter=Q(channel=Channel.ONLINE)),
            stopped=Count("id", filter=Q(status=DossierStatus.STOPPED)),
            withdrawn=Count("id", filter=Q(status=DossierStatus.WITHDRAWN)),
            rated=Count("rating"),
            disliked=Count("rating", filter=disliked("rating__")),
        )
        .order_by("-received", key)
    )
    return [
        BoardRow(
            name=row[key] or "—",
            received=row["received"],
            open=row["open"],
            overdue_open=row["overdue_open"],
            finished=row["finished"],
            early=row["early"],
            on_time=row["finished"] - row["early"] - row["late"],
            late=row["late"],
            online=row["online"],
            stopped=row["stopped"],
            withdrawn=row["withdrawn"],
            rated=row["rated"],
            disliked=row["disliked"],
        )
        for row in rows
    ]


COUNT_GROUPINGS = {"co-quan": "agency__name", "linh-vuc": "field__name"}


def board_rows_from_counts(
    *, start: datetime.date, end: datetime.date, grouping: str = "co-quan", now: datetime.datetime | None = None
) -> list[BoardRow]:
    """`board_rows` read from the daily counts the events keep (`reports/aggregates.py`), without
    scanning the period's dossiers; only the open and overdue ones, which change with the clock,
    are counted live."""
    now = now or timezone.now()
    key = COUNT_GROUPINGS.get(grouping, COUNT_GROUPINGS["co-quan"])
    received = reduce(operator.add, (F(f"received_{channel}") for channel in Channel.values))
    sums = {name: Sum(name) for name in ["finished_early", "finished_on_time", "finished_late", "stopped", "withdrawn"]}
    # By agency or by field: the agencies' or the province's own daily rows (count_table).
    table = ProvinceDailyCount if grouping == "linh-vuc" else AgencyDailyCount
    rows = (
        table.objects.filter(day__gte=start, day__lte=end)
        .values(key)
        .annotate(
            received=Sum(received),
            online=Sum("received_online"),
            rated=Sum("rated"),
            disliked=Sum("dissatisfied"),
            **sums,
        )
        .filter(received__gt=0)
        .order_by("-received", key)
    )
    open_ = Q(processed_at__isnull=True, status__in=OPEN)
    live_key = GROUPINGS.get(grouping, GROUPINGS["co-quan"])
    live = {
        line[live_key]: line
        for line in _received_between(start, end)
        .filter(open_)
        .values(live_key)
        .annotate(open=Count("id"), overdue_open=Count("id", filter=Q(due_at__lt=now)))
        .order_by()
    }
    none_open = {"open": 0, "overdue_open": 0}
    return [
        BoardRow(
            name=row[key],
            received=row["received"],
            open=live.get(row[key], none_open)["open"],
            overdue_open=live.get(row[key], none_open)["overdue_open"],
            finished=row["finished_early"] + row["finished_on_time"] + row["finished_late"],
            early=row["finished_early"],
            on_time=row["finished_on_time"],
            late=row["finished_late"],
            online=row["online"],
            stopped=row["stopped"],
            withdrawn=row["withdrawn"],
            rated=row["rated"],
            disliked=row["disliked"],
        )
        for row in rows
    ]


def board_totals(rows: list[BoardRow]) -> BoardRow:
    fields = [
        "received",
        "open",
        "overdue_open",
        "finished",
        "early",
        "on_time",
        "late",
        "online",
        "stopped",
        "withdrawn",
        "rated",
        "disliked",
    ]
    return BoardRow(name="", **{field: sum(getattr(row, field) for row in rows) for field in fields})


def _overdue_open(now: datetime.datetime) -> Q:
    return Q(processed_at__isnull=True, status__in=OPEN, due_at__lt=now)


def late_dossiers(
    *, start: datetime.date, end: datetime.date, now: datetime.datetime | None = None
) -> QuerySet[Dossier, Any]:
    """Codes and agencies of dossiers finished late or still open past their appointment, the
    latest received first; no personal data leaves this query. Ordered by the indexed reception
    time, a page walks that index back and stops at its last row instead of sorting the period."""
    return (
        with_timeliness_facts(_received_between(start, end))
        .filter(LATE | _overdue_open(now or timezone.now()))
        .values("code", "agency__name", "procedure_version__name", "due_at", "processed_at")
        .order_by("-received_at", "-pk")
    )


def late_count(*, start: datetime.date, end: datetime.date, now: datetime.datetime | None = None) -> int:
    """How many `late_dossiers` there are (the board's number and its list's length) without
    reading the period's dossiers: the results late by the rule from the daily counts (kept on the
    reception day, as the list filters), the open overdue ones counted live."""
    late = AgencyDailyCount.objects.filter(day__gte=start, day__lte=end).aggregate(n=Sum("finished_late"))["n"]
    return (late or 0) + _received_between(start, end).filter(_overdue_open(now or timezone.now())).count()


def apology_slips(*, start: datetime.date, end: datetime.date) -> QuerySet[DossierSlip, Any]:
    return (
        DossierSlip.objects.filter(kind=SlipKind.APOLOGY, issued_at__date__gte=start, issued_at__date__lte=end)
        .values("dossier__code", "dossier__agency__name", "issued_at", "dossier__due_at")
        .order_by("-issued_at")
    )


def satisfaction_summary(*, start: datetime.date, end: datetime.date) -> dict[str, Any]:
    """Ratings given in the period: how many, how many dissatisfied, the satisfied share."""
    ratings = SatisfactionRating.objects.filter(created_at__date__gte=start, created_at__date__lte=end)
    counts = ratings.aggregate(total=Count("id"), dissatisfied=Count("id", filter=disliked()))
    total, dissatisfied = counts["total"], counts["dissatisfied"]
    feedback = Feedback.objects.filter(created_at__date__gte=start, created_at__date__lte=end)
    return {
        "ratings": total,
        "dissatisfied": dissatisfied,
        "satisfied_rate": _satisfied_rate(total, dissatisfied),
        "feedback": feedback.count(),
    }


@dataclass(frozen=True)
class OfficerRatings:
    """One receiving officer's ratings: how many, and the satisfied share of each question."""

    officer_id: int | None
    name: str
    agency: str
    rated: int
    agency_disliked: int
    officer_disliked: int
    result_disliked: int
    very_satisfied: int

    @property
    def agency_rate(self) -> float | None:
        return _satisfied_rate(self.rated, self.agency_disliked)

    @property
    def officer_rate(self) -> float | None:
        return _satisfied_rate(self.rated, self.officer_disliked)

    @property
    def result_rate(self) -> float | None:
        return _satisfied_rate(self.rated, self.result_disliked)


def ratings_visible_to(*, user: Any) -> QuerySet[SatisfactionRating]:
    """Ratings a staff member may read: all for province-wide roles, their agencies' for leaders
    and supervisors, otherwise only those about the dossiers they received themselves."""
    roles = StaffRole.objects.filter(user=user)
    ratings = SatisfactionRating.objects.all()
    if roles.filter(role__in=PROVINCE_WIDE_ROLES).exists():
        return ratings
    overseen = roles.filter(role__in=[Role.LEADER, Role.SUPERVISOR, Role.AGENCY_ADMIN], agency__isnull=False)
    return ratings.filter(Q(agency_id__in=overseen.values("agency_id")) | Q(officer=user))


def ratings_by_officer(ratings: QuerySet[SatisfactionRating]) -> list[OfficerRatings]:
    """`ratings` per receiving officer, the most dissatisfied first."""
    dissatisfied = Satisfaction.DISSATISFIED
    rows = (
        ratings.values("officer_id", "officer__last_name", "officer__first_name", "agency__name")
        .annotate(
            rated=Count("id"),
            agency_disliked=Count("id", filter=Q(agency_level=dissatisfied)),
            officer_disliked=Count("id", filter=Q(officer_level=dissatisfied)),
            result_disliked=Count("id", filter=Q(result_level=dissatisfied)),
            very_satisfied=Count("id", filter=Q(officer_level=Satisfaction.VERY_SATISFIED)),
        )
        .order_by("-officer_disliked", "-rated", "agency__name", "officer__last_name")
    )
    return [
        OfficerRatings(
            officer_id=row["officer_id"],
            name=f"{row['officer__last_name'] or ''} {row['officer__first_name'] or ''}".strip() or "—",
            agency=row["agency__name"],
            rated=row["rated"],
            agency_disliked=row["agency_disliked"],
            officer_disliked=row["officer_disliked"],
            result_disliked=row["result_disliked"],
            very_satisfied=row["very_satisfied"],
        )
        for row in rows
    ]


def _satisfied_rate(rated: int, disliked: int) -> float | None:
    return round(100 * (rated - disliked) / rated, 1) if rated else None


def disliked(prefix: str = "") -> Q:
    """A rating counts against the agency when any of its three answers is "dissatisfied"."""
    levels = ("agency_level", "officer_level", "result_level")
    return reduce(operator.or_, (Q(**{prefix + level: Satisfaction.DISSATISFIED}) for level in levels))


def feedback_for_officer(*, user: Any) -> QuerySet[Feedback]:
    agencies = StaffRole.objects.filter(user=user, agency__isnull=False).values("agency_id")
    return Feedback.objects.filter(agency_id__in=agencies).select_related("agency").order_by("status", "due_at")
