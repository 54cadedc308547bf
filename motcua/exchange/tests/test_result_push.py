"""Issuing the result of a civil-status or residence dossier records a push in the same
transaction; it is delivered after commit, retried after a failure and recorded once by the
sector system, whatever happened to the answers."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from motcua.dossiers.constants import DossierStatus
from motcua.dossiers.transitions import dossier_lock, dossier_transition
from motcua.exchange.constants import ExchangeOutcome, ExchangePurpose, ExchangeService, PushStatus
from motcua.exchange.delivery import result_pushes_deliver
from motcua.exchange.models import ExchangeLog, ResultPush

from .conftest import received_dossier, result_issued

pytestmark = pytest.mark.django_db


def _issue(dossier, capture) -> ResultPush:
    with capture(execute=True):
        result_issued(dossier)
    return ResultPush.objects.get(dossier=dossier)


def test_civil_status_result_delivered_after_commit(
    exchange_simulator, versions, hung, reception, django_capture_on_commit_callbacks
):
    dossier = received_dossier(version=versions["birth"], applicant=hung, officer=reception)
    push = _issue(dossier, django_capture_on_commit_callbacks)
    assert push.service == ExchangeService.CIVIL_STATUS_RESULT
    assert push.status == PushStatus.DELIVERED and push.remote_reference == "HT-000001"
    key = f"{dossier.code}:{ExchangeService.CIVIL_STATUS_RESULT}"
    assert push.idempotency_key == key
    sent = exchange_simulator.desk.accepted[key][1]
    assert sent["dossier_code"] == dossier.code and sent["procedure_code"] == "1.001193"
    entry = ExchangeLog.objects.get()
    assert (entry.purpose, entry.outcome, entry.actor, entry.subject_user) == (
        ExchangePurpose.RESULT_UPDATE,
        ExchangeOutcome.DELIVERED,
        None,
        hung,
    )


def test_push_retried_after_500_then_delivered_once(
    exchange_simulator, versions, hung, reception, django_capture_on_commit_callbacks
):
    dossier = received_dossier(version=versions["residence"], applicant=hung, officer=reception)
    exchange_simulator.fail("down")
    push = _issue(dossier, django_capture_on_commit_callbacks)
    assert push.service == ExchangeService.RESIDENCE_RESULT
    assert (push.status, push.attempts) == (PushStatus.PENDING, 1)
    assert "đang gặp sự cố" in push.last_error and push.next_attempt_at > timezone.now()
    # Not due yet: the sweep leaves it alone.
    assert result_pushes_deliver() == {"delivered": 0, "retrying": 0}
    exchange_simulator.recover()
    ResultPush.objects.filter(pk=push.pk).update(next_attempt_at=timezone.now() - datetime.timedelta(seconds=1))
    assert result_pushes_deliver() == {"delivered": 1, "retrying": 0}
    push.refresh_from_db()
    assert (push.status, push.attempts, push.remote_reference) == (PushStatus.DELIVERED, 2, "CT-000001")
    assert exchange_simulator.desk.received[push.idempotency_key] == 1
    assert result_pushes_deliver() == {"delivered": 0, "retrying": 0}
    outcomes = list(ExchangeLog.objects.order_by("id").values_list("outcome", flat=True))
    assert outcomes == [ExchangeOutcome.FAILED, ExchangeOutcome.DELIVERED]


def test_lost_answer_retried_with_the_same_key_is_recorded_once(
    exchange_simulator, versions, hung, reception, django_capture_on_commit_callbacks
):
    """The sector system recorded the push but the answer was lost (a crash mid-call): the retry
    carries the same key, the system answers with its first reference and records nothing new."""
    dossier = received_dossier(version=versions["birth"], applicant=hung, officer=reception)
    with django_capture_on_commit_callbacks(execute=False):
        result_issued(dossier)
    push = ResultPush.objects.get(dossier=dossier)
    exchange_simulator.desk.answer(push.service, push.payload)  # the first attempt, its answer lost
    result_pushes_deliver()
    push.refresh_from_db()
    assert push.status == PushStatus.DELIVERED and push.remote_reference == "HT-000001"
    assert len(exchange_simulator.desk.accepted) == 1 and exchange_simulator.desk.received[push.idempotency_key] == 2


def test_crashed_sender_claim_lapses_and_the_push_goes_out(exchange_simulator, versions, hung, reception):
    dossier = received_dossier(version=versions["birth"], applicant=hung, officer=reception)
    result_issued(dossier)
    push = ResultPush.objects.get(dossier=dossier)
    ResultPush.objects.filter(pk=push.pk).update(
        status=PushStatus.SENDING, locked_until=timezone.now() + datetime.timedelta(minutes=1)
    )
    assert result_pushes_deliver() == {"delivered": 0, "retrying": 0}  # someone else's live claim
    ResultPush.objects.filter(pk=push.pk).update(locked_until=timezone.now() - datetime.timedelta(seconds=1))
    assert result_pushes_deliver() == {"delivered": 1, "retrying": 0}


def test_no_push_for_a_field_without_a_sector_system(exchange_simulator, versions, hung, reception):
    dossier = received_dossier(version=versions["building"], applicant=hung, officer=reception)
    result_issued(dossier)
    assert not ResultPush.objects.exists()


def test_failed_issue_records_no_push(exchange_simulator, versions, hung, reception):
    """The push is part of the result's transaction: rolled back with it."""
    dossier = received_dossier(version=versions["birth"], applicant=hung, officer=reception)
    with pytest.raises(RuntimeError), transaction.atomic():
        locked = dossier_lock(dossier_id=dossier.pk)
        dossier_transition(dossier=locked, to_status=DossierStatus.PROCESSED, actor="Kiểm thử")
        raise RuntimeError("crash after the result")
    assert not ResultPush.objects.exists()
