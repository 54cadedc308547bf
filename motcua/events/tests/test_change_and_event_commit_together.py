"""A step's event is part of the step's change: an error after it undoes both, and the messages."""

import pytest
from django.db import transaction

from motcua.catalog.constants import StepKind
from motcua.dossiers.models import DossierStep
from motcua.dossiers.processing import step_take
from motcua.events.constants import EventKind
from motcua.events.models import DomainEvent
from motcua.events.tests.journeys import accepted, active
from motcua.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_an_error_after_the_event_rolls_back_the_step_and_its_event(hung, birth_version):
    dossier, staff = accepted(hung, birth_version)
    process = active(dossier, StepKind.PROCESS)
    DossierStep.objects.filter(pk=process.pk).update(assignee=None)
    events_before = DomainEvent.objects.filter(dossier=dossier).count()
    with pytest.raises(RuntimeError), transaction.atomic():
        step_take(step=process, officer=staff["specialist"], revision=None)
        assert DomainEvent.objects.filter(dossier=dossier, kind=EventKind.STEP_TAKEN).exists()
        raise RuntimeError("crash after the event")
    assert DomainEvent.objects.filter(dossier=dossier).count() == events_before
    assert DossierStep.objects.get(pk=process.pk).assignee_id is None


def test_messages_recorded_by_the_consumer_roll_back_with_the_change(hung, birth_version):
    """The notifications consumer writes in the same transaction: no message for an undone change."""
    from motcua.dossiers.testing import submitted_dossier

    dossier = submitted_dossier(hung, birth_version)
    messages_before = OutboxMessage.objects.count()
    from motcua.dossiers.reception import dossier_accept
    from motcua.dossiers.testing import officer

    with pytest.raises(RuntimeError), transaction.atomic():
        dossier_accept(dossier=dossier, officer=officer("xa.tn"), revision=None)
        assert OutboxMessage.objects.count() > messages_before, "the acceptance message was recorded"
        raise RuntimeError("crash after the acceptance")
    assert OutboxMessage.objects.count() == messages_before
    assert not DomainEvent.objects.filter(dossier=dossier, kind=EventKind.RECEIVED).exists()
