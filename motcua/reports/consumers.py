"""The reports' consumer of the domain events: the daily counts (`reports/aggregates.py`)."""

from motcua.events.models import DomainEvent
from motcua.events.services import subscriber
from motcua.reports.aggregates import dossier_recount


# Every kind: whatever an event changed (a reception, a result, a payment, a scan, a rating), the
# dossier's part is counted again and only the difference reaches the daily rows.
@subscriber()
def dossier_counts_refresh(event: DomainEvent) -> None:
    dossier_recount(event.dossier_id)
