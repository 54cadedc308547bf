"""Daily counts of dossiers per agency and procedure field, kept from the domain events.

The consumer (`reports/consumers.py`) adds to a row in the transaction of the change; the
rebuild recomputes every row from the dossiers (after an upgrade, or to repair). Both count with
the board's rule: a dossier on its reception day (a rejected one on its submission day), early /
on time / late by `dossiers.deadlines`' conditions, evaluated once, when the result is issued.
After that nothing the rule reads can change (no pause, apology or extension once processed).
"""

import datetime
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from motcua.dossiers.constants import Channel, DossierStatus, Timeliness
from motcua.dossiers.deadlines import EARLY, FINISHED, LATE, with_timeliness_facts
from motcua.dossiers.models import Dossier
from motcua.reports.models import DailyDossierCount
from motcua.reports.selectors import disliked

FINISHED_COLUMN = {
    Timeliness.EARLY: "finished_early",
    Timeliness.ON_TIME: "finished_on_time",
    Timeliness.LATE: "finished_late",
}
ON_TIME = FINISHED & ~EARLY & ~LATE


def received_column(channel: str) -> str:
    return f"received_{Channel(channel).value}"


def counted_day(dossier: Dossier) -> datetime.date | None:
    """The day a dossier counts on: its reception day, a rejected one's submission day; None for
    a dossier never received (nor rejected), which the board does not count either."""
    if dossier.received_at is not None:
        return timezone.localdate(dossier.received_at)
    if dossier.status == DossierStatus.REJECTED and dossier.submitted_at is not None:
        return timezone.localdate(dossier.submitted_at)
    return None


def daily_count_add(*, dossier: Dossier, **increments: int) -> None:
    """Add to the row of the dossier's agency, field and counted day, creating it at need.

    The increments are `column = column + n` in the database, so two officers committing at
    once both count; the unique key makes the second creator wait for the first and then update
    the row it made (`get_or_create` retries its read after the IntegrityError)."""
    day = counted_day(dossier)
    if day is None:
        return
    key: dict[str, Any] = {"agency_id": dossier.agency_id, "field_id": dossier.procedure_version.field_id, "day": day}
    changes = {column: F(column) + n for column, n in increments.items()}
    if not DailyDossierCount.objects.filter(**key).update(**changes):
        DailyDossierCount.objects.get_or_create(**key)
        DailyDossierCount.objects.filter(**key).update(**changes)


def finished_timeliness(dossier: Dossier) -> Timeliness:
    """The board's rule for one processed dossier, by the same SQL conditions."""
    facts = with_timeliness_facts(Dossier.objects.filter(pk=dossier.pk)).aggregate(
        early=Count("id", filter=EARLY), late=Count("id", filter=LATE)
    )
    if facts["late"]:
        return Timeliness.LATE
    return Timeliness.EARLY if facts["early"] else Timeliness.ON_TIME


_ROW_KEY = {"id", "agency", "field", "day"}
COLUMNS = [field.name for field in DailyDossierCount._meta.concrete_fields if field.name not in _ROW_KEY]
_KEY = ("agency_id", "procedure_version__field_id", "day")


def daily_counts_rebuild() -> int:
    """Recompute the whole table from the dossiers, in one transaction; returns the rows made."""
    received = (
        with_timeliness_facts(Dossier.objects.filter(received_at__isnull=False))
        .annotate(day=TruncDate("received_at"))
        .values(*_KEY)
        .annotate(
            **{received_column(channel): Count("id", filter=Q(channel=channel)) for channel in Channel.values},
            finished_early=Count("id", filter=EARLY),
            finished_on_time=Count("id", filter=ON_TIME),
            finished_late=Count("id", filter=LATE),
            stopped=Count("id", filter=Q(status=DossierStatus.STOPPED)),
            withdrawn=Count("id", filter=Q(status=DossierStatus.WITHDRAWN)),
            rated=Count("rating"),
            dissatisfied=Count("rating", filter=disliked("rating__")),
        )
        .order_by()
    )
    rejected = (
        Dossier.objects.filter(status=DossierStatus.REJECTED, submitted_at__isnull=False)
        .annotate(day=TruncDate("submitted_at"))
        .values(*_KEY)
        .annotate(rejected=Count("id"))
        .order_by()
    )
    rows: dict[tuple[Any, ...], dict[str, int]] = {}
    with transaction.atomic():
        for line in [*received.iterator(), *rejected.iterator()]:
            counts = rows.setdefault(tuple(line[name] for name in _KEY), dict.fromkeys(COLUMNS, 0))
            counts.update({column: line[column] for column in COLUMNS if column in line})
        DailyDossierCount.objects.all().delete()
        DailyDossierCount.objects.bulk_create(
            (
                DailyDossierCount(agency_id=agency_id, field_id=field_id, day=day, **counts)
                for (agency_id, field_id, day), counts in rows.items()
            ),
            batch_size=1000,
        )
    return len(rows)
