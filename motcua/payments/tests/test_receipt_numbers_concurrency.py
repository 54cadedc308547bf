"""Receipt numbers stay gapless and unique when officers of one agency take fees for different
dossiers at the same moment, and a payment rolled back gives its number back (PostgreSQL:
SQLite runs one writer at a time)."""

import threading

import pytest
from django.db import connection, transaction

from motcua.core.errors import ApplicationError
from motcua.dossiers.testing import officer, submitted_dossier
from motcua.payments.constants import PaymentMethod
from motcua.payments.counter import counter_payment_record
from motcua.payments.models import Receipt, ReceiptSeries
from motcua.payments.tests.helpers import owing

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite runs one writer at a time"),
    pytest.mark.django_db(transaction=True),
]

WORKERS = 12


class RolledBack(Exception):
    pass


def test_parallel_counter_payments_number_receipts_without_gaps_or_twins(hung, birth_version) -> None:
    reception = officer("xa.tn")
    dossiers = [owing(submitted_dossier(hung, birth_version)) for _ in range(WORKERS)]
    start = threading.Barrier(WORKERS)
    errors: list[BaseException] = []

    def pay(index: int) -> None:
        try:
            start.wait(10)
            if index % 4 == 3:  # every fourth payment fails after its receipt was numbered
                with transaction.atomic():
                    counter_payment_record(
                        dossier=dossiers[index], officer=reception, method=PaymentMethod.CASH, revision=None
                    )
                    raise RolledBack
            counter_payment_record(dossier=dossiers[index], officer=reception, method=PaymentMethod.CASH, revision=None)
        except RolledBack:
            pass
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=pay, args=(index,)) for index in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    kept = WORKERS - WORKERS // 4
    numbers = sorted(Receipt.objects.values_list("number", flat=True))
    assert numbers == list(range(1, kept + 1))
    series = ReceiptSeries.objects.get(agency=dossiers[0].agency, active=True)
    assert series.next_number == kept + 1
    # A dossier whose payment was rolled back pays again: the next number, still no gap.
    again = counter_payment_record(dossier=dossiers[3], officer=reception, method=PaymentMethod.CASH, revision=None)
    assert again.number == kept + 1


def test_officers_paying_the_same_dossier_at_once_charge_it_once(hung, birth_version) -> None:
    officers = [officer("xa.tn"), officer("xa.tn2"), officer("xa.kt", role="finance")]
    dossier = owing(submitted_dossier(hung, birth_version))
    start = threading.Barrier(len(officers))
    refusals: list[str] = []

    def pay(who) -> None:  # type: ignore[no-untyped-def]
        try:
            start.wait(10)
            counter_payment_record(dossier=dossier, officer=who, method=PaymentMethod.CASH, revision=None)
        except ApplicationError as error:
            refusals.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=pay, args=(who,)) for who in officers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert refusals == ["fees_already_paid"] * (len(officers) - 1)
    assert list(Receipt.objects.values_list("number", flat=True)) == [1]
