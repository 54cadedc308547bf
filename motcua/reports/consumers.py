"""The reports' consumer of the domain events: the daily counts (`reports/aggregates.py`) and the
statutory report's (`reports/statutory_counts.py`)."""

from motcua.events.constants import EventKind
from motcua.events.models import DomainEvent
from motcua.events.services import subscriber
from motcua.reports.aggregates import FINISHED_COLUMN, daily_count_add, finished_timeliness, received_column
from motcua.reports.constants import Satisfaction
from motcua.reports.statutory_counts import EVENT_INSTANTS, statutory_count_add


@subscriber(EventKind.RECEIVED)
def received_count(event: DomainEvent) -> None:
    daily_count_add(dossier=event.dossier, **{received_column(event.dossier.channel): 1})


@subscriber(EventKind.RESULT_ISSUED)
def finished_count(event: DomainEvent) -> None:
    daily_count_add(dossier=event.dossier, **{FINISHED_COLUMN[finished_timeliness(event.dossier)]: 1})


# The kinds are the columns' names. A dossier withdrawn before its reception counts nowhere.
@subscriber(EventKind.STOPPED, EventKind.WITHDRAWN, EventKind.REJECTED)
def ended_count(event: DomainEvent) -> None:
    daily_count_add(dossier=event.dossier, **{event.kind: 1})


@subscriber(EventKind.RATED)
def rated_count(event: DomainEvent) -> None:
    levels = [event.payload[name] for name in ("agency_level", "officer_level", "result_level")]
    daily_count_add(dossier=event.dossier, rated=1, dissatisfied=int(Satisfaction.DISSATISFIED in levels))


@subscriber(*EVENT_INSTANTS)
def statutory_count(event: DomainEvent) -> None:
    statutory_count_add(dossier=event.dossier, kind=event.kind)
