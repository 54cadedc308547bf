"""The dashboard's numbers and lists, from one definition per measure (`leaders/measures.py`).

Numbers the daily counts hold (`reports.DailyDossierCount`, kept from the domain events) are
summed from them when the scope and filters are ones the counts are keyed by (province or
agency, field); everything else is counted live over the dossiers with the measure's Q, which is
also the drill-down list's filter.
"""

import datetime
import operator
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial, reduce
from typing import Any

from django.db import connection
from django.db.models import (
    Avg,
    Case,
    Count,
    DateField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Trunc

from motcua.core.periods import Period
from motcua.directory.models import Agency, StaffRole
from motcua.dossiers.deadlines import with_timeliness_facts
from motcua.dossiers.models import Dossier, DossierStep
from motcua.leaders.measures import DURATIONS, MEASURES, SHARES
from motcua.leaders.scopes import Scope
from motcua.reports.aggregates import count_table
from motcua.reports.models import OfficerDailyCount

GRAINS = {"ngay": "day", "tuan": "week", "thang": "month"}


@dataclass(frozen=True)
class Filters:
    start: datetime.date
    end: datetime.date
    field_id: int | None = None
    procedure_id: int | None = None
    level: str = ""

    def kept_filter(self) -> dict[str, Any]:
        """The filters as the kept counts' columns (which table holds them: `count_table`)."""
        chosen = {"field_id": self.field_id, "procedure_id": self.procedure_id, "level": self.level}
        return {name: value for name, value in chosen.items() if value}


def _received_in(filters: Filters, path: str = "") -> dict[str, datetime.datetime]:
    # Local days as an instant range, so the (agency, received_at) index serves it.
    since, until = Period(filters.start, filters.end).bounds()
    return {f"{path}received_at__gte": since, f"{path}received_at__lt": until}


def scope_dossiers(scope: Scope, filters: Filters) -> QuerySet[Dossier]:
    """The dossiers of the scope received in the period and matching the filters, annotated with
    the facts of the on-time rule."""
    dossiers = Dossier.objects.filter(scope.q, **_received_in(filters))
    if filters.field_id:
        dossiers = dossiers.filter(procedure_version__field_id=filters.field_id)
    if filters.procedure_id:
        dossiers = dossiers.filter(procedure_version__procedure_id=filters.procedure_id)
    if filters.level:
        dossiers = dossiers.filter(procedure_version__level=filters.level)
    return with_timeliness_facts(dossiers)


def drill_down(scope: Scope, filters: Filters, measure: str) -> QuerySet[Dossier]:
    """The list behind a number, newest reception first (shown without personal data)."""
    return (
        scope_dossiers(scope, filters)
        .filter(MEASURES[measure].q)
        .select_related("agency", "procedure_version")
        .order_by("-received_at", "-pk")
    )


def _counts_usable(scope: Scope, names: Iterable[str]) -> bool:
    return scope.count_filter is not None and all(MEASURES[n].columns for n in names)


def _live_counts(scope: Scope, filters: Filters, names: list[str], group: dict[str, Any]) -> list[dict[str, Any]]:
    annotations = {name: Count("id", filter=MEASURES[name].q) if MEASURES[name].q else Count("id") for name in names}
    dossiers = scope_dossiers(scope, filters)
    if all(MEASURES[name].q for name in names):
        # Only the dossiers some measure counts: for the open ones, the partial index of the
        # unprocessed dossiers serves the scan instead of every dossier of the period.
        dossiers = dossiers.filter(reduce(operator.or_, (MEASURES[name].q for name in names)))
    return _grouped(dossiers, annotations, group)


def _key_names(expression: Any) -> set[str]:
    """The daily counts' columns an expression reads (F("agency_id"), Trunc("day", ...))."""
    if isinstance(expression, F):
        return {expression.name}
    return set().union(*(_key_names(source) for source in getattr(expression, "get_source_expressions", list)()))


def _kept_source(scope: Scope, filters: Filters, group: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """The smallest daily count table keyed by all the scope, filters and grouping read
    (`reports.aggregates.count_table`; None when none is), and the filter it is read with."""
    if scope.count_filter is None:
        return None, {}
    wanted: dict[str, Any] = dict(scope.count_filter) | filters.kept_filter()
    return count_table({"day", *wanted}.union(*(_key_names(expression) for expression in group.values()))), wanted


def _kept_rows(scope: Scope, filters: Filters, group: dict[str, Any]) -> QuerySet[Any]:
    """The rows of the scope and filters in the table `_kept_source` chose."""
    table, wanted = _kept_source(scope, filters, group)
    period = {"day__gte": filters.start, "day__lte": filters.end}  # every table has the day
    return table.objects.filter(**period, **wanted)


def _kept_counts(
    scope: Scope,
    filters: Filters,
    names: list[str],
    group: dict[str, Any],
    sums: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    rows = _kept_rows(scope, filters, group)
    return _grouped(rows, _kept_sums(names) | {name: Sum(column) for name, column in (sums or {}).items()}, group)


def _kept_sums(names: list[str]) -> dict[str, Any]:
    """Each measure as the sum of its daily count columns."""
    return {
        name: Coalesce(Sum(reduce(operator.add, (F(column) for column in MEASURES[name].columns))), 0) for name in names
    }


def _grouped(rows: QuerySet[Any], annotations: dict[str, Any], group: dict[str, Any]) -> list[dict[str, Any]]:
    # Aliased: an annotation may not be named like the column it sums.
    # Always grouped (by a constant for one row): `aggregate()` over these annotated rows would
    # wrap them in a subquery where the measures' Exists no longer find their outer dossier.
    aliased = {f"n_{name}": annotation for name, annotation in annotations.items()}
    lines = rows.values(**(group or {"key": Value(0)})).annotate(**aliased).order_by()
    return [{name.removeprefix("n_"): value for name, value in line.items()} for line in lines]


def counts(
    scope: Scope,
    filters: Filters,
    names: list[str],
    *,
    live_group: Any = None,
    kept_group: Any = None,
    sums: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """The measures `names`, in one row, or one row per group (`key`) when the groupings (as an
    expression over the dossiers and over the daily counts) are given; with the daily count
    columns `sums` summed in the same query (row key: column), when the counts are read."""
    # A grouping the daily counts are not keyed by (no `kept_group`, or no table keyed by it and
    # the scope) is counted live throughout.
    kept_grouping = {"key": kept_group} if kept_group is not None else {}
    groupable = (live_group is None or kept_group is not None) and _kept_source(scope, filters, kept_grouping)[0]
    kept = [name for name in names if groupable and _counts_usable(scope, [name])]
    live = [name for name in names if name not in kept]
    rows: dict[Any, dict[str, Any]] = {}
    for fetched, wanted, group in (
        (
            partial(_kept_counts, sums=sums),
            kept,
            kept_grouping,
        ),
        (_live_counts, live, {"key": live_group} if live_group is not None else {}),
    ):
        if not wanted:
            continue
        if not group:
            rows.setdefault(0, dict.fromkeys(names, 0) | {"key": 0})
        for line in fetched(scope, filters, wanted, group):
            rows.setdefault(line.get("key"), dict.fromkeys(names, 0) | {"key": line.get("key")}).update(
                {name: line[name] or 0 for name in wanted} | {name: line[name] for name in sums or {} if name in line}
            )
    return list(rows.values())


def figures(scope: Scope, filters: Filters, *, grain: str = "ngay") -> dict[str, Any]:
    """Every measure's number for the scope, the shares, the online/counter durations and the
    trend: every measure per day, week or month of reception (`grain`), oldest first, every
    bucket of the period (zeros included), of which the numbers are the sums. One reading of the
    daily counts and one of the open dossiers."""
    kind = GRAINS.get(grain, "day")
    sums = {f"{name}_duration": column for name, column in DURATIONS.items()}
    trend = counts(
        scope,
        filters,
        list(MEASURES),
        live_group=Trunc("received_at", kind, output_field=DateField()),
        kept_group=Trunc("day", kind, output_field=DateField()),
        sums=sums,
    )
    trend = _every_bucket(trend, filters, kind, sums)
    numbers = {name: sum(row[name] for row in trend) for name in MEASURES}
    shares = {
        name: round(100 * numbers[top] / numbers[bottom], 1) if numbers[bottom] else None
        for name, (top, bottom) in SHARES.items()
    }
    return {
        "numbers": numbers,
        "shares": shares,
        "durations": _durations(scope, filters, numbers, trend),
        "trend": trend,
    }


def _buckets(filters: Filters, kind: str) -> list[datetime.date]:
    """The first day of each day, week (its Monday) or month the period touches, as `Trunc` keys
    them."""
    first = filters.start
    if kind == "week":
        first -= datetime.timedelta(days=first.weekday())
    elif kind == "month":
        first = first.replace(day=1)
    keys = []
    while first <= filters.end:
        keys.append(first)
        if kind == "month":
            first = (first + datetime.timedelta(days=32)).replace(day=1)
        else:
            first += datetime.timedelta(days=7 if kind == "week" else 1)
    return keys


def _every_bucket(
    trend: list[dict[str, Any]], filters: Filters, kind: str, sums: dict[str, str]
) -> list[dict[str, Any]]:
    """The trend with a row of zeros for every bucket without dossiers, oldest first: a chart
    that skipped them would join the days around a quiet one. The zero rows carry the summed
    durations when the counted rows do (`_durations` reads them from every row)."""
    found = {row["key"]: row for row in trend}
    durations_read = all(name in row for row in trend for name in sums)
    zero = dict.fromkeys(MEASURES, 0) | (dict.fromkeys(sums, datetime.timedelta()) if durations_read else {})
    return [found.get(key) or zero | {"key": key} for key in sorted(set(_buckets(filters, kind)) | set(found))]


def _durations(
    scope: Scope, filters: Filters, numbers: dict[str, int], trend: list[dict[str, Any]]
) -> dict[str, datetime.timedelta | None]:
    """The average processing time of each of `DURATIONS`' lists: summed in the daily counts
    (read with the trend) and divided by the count, or averaged live where they were not read."""
    if all(f"{name}_duration" in row for row in trend for name in DURATIONS):
        total = {name: sum((row[f"{name}_duration"] for row in trend), datetime.timedelta()) for name in DURATIONS}
        return {name: total[name] / numbers[name] if numbers[name] else None for name in DURATIONS}
    taken = ExpressionWrapper(F("processed_at") - F("received_at"), output_field=DurationField())
    averages = {name: Avg(taken, filter=MEASURES[name].q) for name in DURATIONS}
    lines = _grouped(scope_dossiers(scope, filters), averages, {})
    return lines[0] if lines else dict.fromkeys(DURATIONS)


RANKED = [
    "received",
    "finished",
    "finished_in_time",
    "finished_late",
    "in_progress",
    "in_progress_overdue",
    "returned",
    "rated",
    "dissatisfied",
]


def agency_ranking(scope: Scope, filters: Filters) -> list[dict[str, Any]]:
    """The scope's agencies with their numbers, the best on-time share first."""
    rows = counts(scope, filters, RANKED, live_group=F("agency_id"), kept_group=F("agency_id"))
    names = Agency.objects.in_bulk([row["key"] for row in rows])
    return _ranked([row | {"name": names[row["key"]].name} for row in rows if row["received"]])


def officer_ranking(scope: Scope, filters: Filters) -> list[dict[str, Any]]:
    """The officers of the scope's agencies (or the scope's officer) with the numbers of every
    dossier they took part in, received in the period."""
    roles = StaffRole.objects.filter(agency__isnull=False)
    if scope.officer_id is not None:
        roles = StaffRole.objects.filter(user_id=scope.officer_id)
    elif scope.agency_ids is not None:
        roles = roles.filter(agency_id__in=scope.agency_ids)
    officers = {
        user_id: f"{last} {first}".strip() or username
        for user_id, last, first, username in roles.values_list(
            "user_id", "user__last_name", "user__first_name", "user__username"
        ).distinct()
    }
    counted = _officers_counts(list(officers), filters)
    rows = [
        counted[user_id] | {"key": user_id, "name": name}
        for user_id, name in officers.items()
        if counted.get(user_id, {}).get("received")
    ]
    return _ranked(sorted(rows, key=operator.itemgetter("name")))


def _officers_counts(officers: list[int], filters: Filters) -> dict[int, dict[str, int]]:
    """RANKED for each officer over the dossiers they took part in (`scopes.officer_q`: received
    them, held or finished one of their steps): summed from the officers' daily counts
    (`reports.OfficerDailyCount`) where they hold the measure and the filters, the rest live."""
    if not officers:
        return {}
    officer_counts = count_table({"officer_id", "day", *filters.kept_filter()}) is not None
    kept = [name for name in RANKED if officer_counts and MEASURES[name].columns]
    live = [name for name in RANKED if name not in kept]
    numbers = {officer: dict.fromkeys(RANKED, 0) for officer in officers}
    if kept:
        rows = OfficerDailyCount.objects.filter(
            officer_id__in=officers, day__gte=filters.start, day__lte=filters.end, **filters.kept_filter()
        )
        for line in _grouped(rows, _kept_sums(kept), {"key": F("officer_id")}):
            numbers[line["key"]].update({name: line[name] for name in kept})
    if live:
        for officer, counted in _officers_live_counts(officers, filters, live).items():
            numbers[officer].update(counted)
    return numbers


def _officers_live_counts(officers: list[int], filters: Filters, names: list[str]) -> dict[int, dict[str, int]]:
    """`names` for each officer, in one query: the period's dossiers they took part in, each with
    the measures as numbers (its counted part, `reports.CountedDossier`, where the daily counts
    hold the measure), joined to the distinct (dossier, officer) pairs of the parts."""
    steps = DossierStep.objects.filter(**_received_in(filters, "dossier__")).order_by()
    took_part = Q(received_by_id__in=officers) | Q(
        Exists(steps.filter(Q(assignee_id__in=officers) | Q(finished_by_id__in=officers), dossier=OuterRef("pk")))
    )
    numbers = {
        f"n_{name}": reduce(operator.add, (F(f"counted__{column}") for column in MEASURES[name].columns))
        if MEASURES[name].columns
        else Case(When(MEASURES[name].q, then=Value(1)), default=Value(0))
        for name in names
    }
    everywhere = Scope("", "", Q(), None, None)
    dossiers = scope_dossiers(everywhere, filters).filter(took_part)
    if all(MEASURES[name].q for name in names):  # as in `_live_counts`: only what is counted
        dossiers = dossiers.filter(reduce(operator.or_, (MEASURES[name].q for name in names)))
    numbered = dossiers.order_by().values(part_id=F("pk"), **numbers)
    # Unordered: SQLite refuses an ORDER BY in the parts of a UNION.
    parts = (
        Dossier.objects.filter(received_by_id__in=officers, **_received_in(filters))
        .order_by()
        .values(part_dossier=F("pk"), part_officer=F("received_by_id"))
        .union(
            steps.filter(assignee_id__in=officers).values(part_dossier=F("dossier_id"), part_officer=F("assignee_id")),
            steps.filter(finished_by_id__in=officers).values(
                part_dossier=F("dossier_id"), part_officer=F("finished_by_id")
            ),
        )
    )
    dossiers_sql, dossiers_params = numbered.query.sql_with_params()
    parts_sql, parts_params = parts.query.sql_with_params()
    sums = ", ".join(f"SUM(d.n_{name})" for name in names)
    # Both parts are Django's own SQL with their parameters; nothing of the request is pasted.
    joined = f"SELECT p.part_officer, {sums} FROM ({dossiers_sql}) d JOIN ({parts_sql}) p ON p.part_dossier = d.part_id"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"{joined} GROUP BY p.part_officer", (*dossiers_params, *parts_params))
        return {officer: dict(zip(names, numbers, strict=True)) for officer, *numbers in cursor.fetchall()}


def _ranked(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for row in rows:
        row["in_time_share"] = round(100 * row["finished_in_time"] / row["finished"], 1) if row["finished"] else None
    return sorted(rows, key=lambda row: (row["in_time_share"] is None, -(row["in_time_share"] or 0), -row["received"]))
