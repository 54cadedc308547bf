"""The reports' consumer of the domain events: the daily counts (`reports/aggregates.py`) and the
statutory report's (`reports/statutory_counts.py`)."""

from motcua.events.models import DomainEvent
from motcua.events.services import subscriber
from motcua.reports.aggregates import dossier_recount
from motcua.reports.statutory_counts import EVENT_INSTANTS, statutory_count_add


# Every kind: whatever an event changed (a reception, a result, a payment, a scan, a rating), the
# dossier's part is counted again and only the difference reaches the daily rows.
@subscriber()
def dossier_counts_refresh(event: DomainEvent) -> None:
    dossier_recount(event.dossier_id)


@subscriber(*EVENT_INSTANTS)
def statutory_count(event: DomainEvent) -> None:
    statutory_count_add(dossier=event.dossier, kind=event.kind)
