"""The statutory report's flows counted per agency, procedure field and day of the event
(`StatutoryDailyCount`) and per month (`StatutoryMonthlyCount`), so the report sums a period's
whole months and its remaining days instead of reading its dossiers.

The reports' consumer (`reports/consumers.py`) adds to a row in the transaction of the change;
the rebuild recomputes every row from the dossiers (after an upgrade, or to repair). Both place
a dossier with one function, `_flow_lines`: the report's own conditions (`statutory.FLOWS`) over
`statutory_dossiers()`, grouped by the local day of each flow's instant; the consumer runs it
over its one dossier, so what is kept is what a rebuild (and a drill-down list) finds. Once a
dossier is resolved or ended nothing those conditions read changes any more.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Count, F, QuerySet
from django.db.models.functions import TruncDate

from motcua.dossiers.models import Dossier
from motcua.events.constants import EventKind
from motcua.reports.aggregates import counts_row_add
from motcua.reports.models import StatutoryDailyCount, StatutoryMonthlyCount
from motcua.reports.statutory import FLOWS, statutory_dossiers

# The instant each counted event sets: its flows count on that instant's day.
EVENT_INSTANTS: dict[str, str] = {
    EventKind.RECEIVED: "received_at",
    EventKind.RESULT_ISSUED: "processed_at",
    EventKind.WITHDRAWN: "ended_at",
    EventKind.STOPPED: "ended_at",
}
COLUMNS = [flow.kept for flow in FLOWS]
_KEY = ("agency_id", "procedure_version__field_id", "day")


def _flow_lines(dossiers: QuerySet[Dossier], instant: str) -> QuerySet[Any]:
    """Per agency, field and local day of `instant`, the flows counted on it; only dossiers the
    agency accepted (a withdrawal before reception counts nowhere)."""
    return (
        dossiers.filter(received_at__isnull=False)
        .filter(**{f"{instant}__isnull": False})
        .annotate(day=TruncDate(instant))
        .values(*_KEY)
        .annotate(**{flow.kept: Count("id", filter=flow.condition) for flow in FLOWS if flow.instant == instant})
        .order_by()
    )


def _month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def statutory_count_add(*, dossier: Dossier, kind: str) -> None:
    """Count the flows the event `kind` starts for `dossier` on their day and month, in the
    caller's transaction."""
    for line in _flow_lines(statutory_dossiers().filter(pk=dossier.pk), EVENT_INSTANTS[kind]):
        changes = {column: F(column) + n for column in COLUMNS if (n := line.get(column, 0))}
        if not changes:
            continue
        row = {"agency_id": line["agency_id"], "field_id": line["procedure_version__field_id"]}
        counts_row_add(StatutoryDailyCount, {**row, "day": line["day"]}, changes)
        counts_row_add(StatutoryMonthlyCount, {**row, "month": _month(line["day"])}, changes)


def statutory_counts_rebuild() -> int:
    """Recompute both tables from the dossiers, in one transaction; returns the daily rows made."""
    instants: Iterable[str] = dict.fromkeys(flow.instant for flow in FLOWS)
    days: dict[tuple[Any, ...], dict[str, int]] = {}
    with transaction.atomic():
        for instant in instants:
            for line in _flow_lines(statutory_dossiers(), instant).iterator():
                counts = days.setdefault(tuple(line[name] for name in _KEY), dict.fromkeys(COLUMNS, 0))
                counts.update({column: line[column] for column in COLUMNS if column in line})
        months: dict[tuple[Any, ...], dict[str, int]] = {}
        for (agency_id, field_id, day), counts in days.items():
            summed = months.setdefault((agency_id, field_id, _month(day)), dict.fromkeys(COLUMNS, 0))
            for column, n in counts.items():
                summed[column] += n
        StatutoryDailyCount.objects.all().delete()
        StatutoryMonthlyCount.objects.all().delete()
        made = StatutoryDailyCount.objects.bulk_create(
            (
                StatutoryDailyCount(agency_id=agency_id, field_id=field_id, day=day, **counts)
                for (agency_id, field_id, day), counts in days.items()
            ),
            batch_size=1000,
        )
        StatutoryMonthlyCount.objects.bulk_create(
            (
                StatutoryMonthlyCount(agency_id=agency_id, field_id=field_id, month=month, **counts)
                for (agency_id, field_id, month), counts in months.items()
            ),
            batch_size=1000,
        )
    return len(made)
