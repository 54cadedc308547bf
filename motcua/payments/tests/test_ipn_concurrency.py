"""Notifications at once (a gateway retrying while the first is still being handled, several web
processes): the payment is applied once, with one receipt; two payments at once get consecutive
receipt numbers. Meaningful on PostgreSQL (MOTCUA_TEST_POSTGRES_*), where the row locks are real."""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from motcua.dossiers.testing import submitted_dossier
from motcua.payments.constants import NoticeVerdict, PaymentStatus
from motcua.payments.demo_gateway import demo_notice_params
from motcua.payments.models import Payment, PaymentNotice, Receipt
from motcua.payments.notices import NoticeSource, notice_apply
from motcua.payments.online import payment_start

pytestmark = pytest.mark.django_db(transaction=True)
WORKERS = 4


def _at_once(actions: list[Callable[[], Any]]) -> list[BaseException]:
    start = threading.Barrier(len(actions))
    errors: list[BaseException] = []

    def work(action: Callable[[], Any]) -> None:
        try:
            start.wait()
            action()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def _ipn(params: dict[str, str]) -> Callable[[], Any]:
    return lambda: notice_apply(gateway_key="demo", source=NoticeSource.IPN, params=params)


def test_the_same_notice_at_once_applies_once(owed_dossier: Any) -> None:
    payment = payment_start(dossier=owed_dossier, user=owed_dossier.applicant, client_ip=None)
    params = demo_notice_params(payment)
    assert _at_once([_ipn(params)] * WORKERS) == []
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID
    assert Receipt.objects.filter(payment=payment).count() == 1
    verdicts = sorted(PaymentNotice.objects.values_list("verdict", flat=True))
    assert verdicts == sorted([NoticeVerdict.APPLIED] + [NoticeVerdict.DUPLICATE] * (WORKERS - 1))


def test_two_payments_at_once_get_consecutive_receipts(owed_dossier: Any) -> None:
    other = submitted_dossier(owed_dossier.applicant, owed_dossier.procedure_version)
    other.fees_due, other.fee_lines = owed_dossier.fees_due, owed_dossier.fee_lines
    other.save(update_fields=["fees_due", "fee_lines"])
    payments = [payment_start(dossier=d, user=d.applicant, client_ip=None) for d in (owed_dossier, other)]
    assert _at_once([_ipn(demo_notice_params(p)) for p in payments]) == []
    assert Payment.objects.filter(status=PaymentStatus.PAID).count() == 2
    assert sorted(Receipt.objects.values_list("number", flat=True)) == [1, 2]
