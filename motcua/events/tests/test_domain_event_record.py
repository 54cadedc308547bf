"""Every dossier change is an event in the change's own transaction, numbered per dossier."""

import pytest
from django.db import transaction

from motcua.dossiers.constants import DossierStatus
from motcua.dossiers.transitions import dossier_lock, dossier_transition
from motcua.events.constants import EventKind
from motcua.events.models import DomainEvent
from motcua.events.services import _handlers, domain_event_record, domain_events_of, subscriber

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(birth_version, hung):
    from motcua.dossiers.testing import submitted_dossier

    return submitted_dossier(version=birth_version, applicant=hung)


@pytest.fixture
def recorded():
    """A subscriber that keeps what it saw, removed after the test."""
    seen: list[tuple[str, int]] = []

    def handler(event: DomainEvent) -> None:
        seen.append((event.kind, event.seq))

    subscriber()(handler)
    yield seen
    for handlers in _handlers.values():
        if handler in handlers:
            handlers.remove(handler)


def test_transition_records_event_with_sequence(submitted, recorded):
    """Receiving writes a `received` event after the submission's, numbered in order."""
    with transaction.atomic():
        dossier = dossier_lock(dossier_id=submitted.pk)
        dossier_transition(dossier=dossier, to_status=DossierStatus.RECEIVED, actor="Kiểm thử", note="ok")
    kinds = [(e.kind, e.seq) for e in domain_events_of(submitted.pk)]
    assert kinds[-1] == (EventKind.RECEIVED, len(kinds))
    assert [seq for _kind, seq in kinds] == list(range(1, len(kinds) + 1))
    assert recorded[-1] == (EventKind.RECEIVED, len(kinds))
    last = domain_events_of(submitted.pk).last()
    assert last.payload == {"from": DossierStatus.SUBMITTED, "to": DossierStatus.RECEIVED, "note": "ok"}
    assert last.actor_label == "Kiểm thử"


def test_rolled_back_change_leaves_no_event(submitted):
    """A change that fails after its event was written leaves neither."""
    before = DomainEvent.objects.filter(dossier=submitted).count()
    with pytest.raises(RuntimeError), transaction.atomic():
        dossier = dossier_lock(dossier_id=submitted.pk)
        dossier_transition(dossier=dossier, to_status=DossierStatus.RECEIVED, actor="x")
        raise RuntimeError("crash mid-way")
    assert DomainEvent.objects.filter(dossier=submitted).count() == before
    submitted.refresh_from_db()
    assert submitted.status == DossierStatus.SUBMITTED


def test_failing_subscriber_rolls_the_change_back(submitted):
    """A consumer that cannot record its part stops the change: nothing is half-done."""

    def broken(event: DomainEvent) -> None:
        raise ValueError("consumer down")

    subscriber(EventKind.RECEIVED)(broken)
    try:
        with pytest.raises(ValueError), transaction.atomic():
            dossier = dossier_lock(dossier_id=submitted.pk)
            dossier_transition(dossier=dossier, to_status=DossierStatus.RECEIVED, actor="x")
    finally:
        _handlers[EventKind.RECEIVED].remove(broken)
    submitted.refresh_from_db()
    assert submitted.status == DossierStatus.SUBMITTED


def test_unknown_kind_is_refused(submitted):
    """A typo in a kind fails loudly instead of writing an event no consumer knows."""
    with pytest.raises(ValueError), transaction.atomic():
        domain_event_record(dossier=submitted, kind="made_up")
    with pytest.raises(ValueError):
        subscriber("made_up")(lambda event: None)
