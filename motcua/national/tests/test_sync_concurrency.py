"""Several workers at once (every worker runs the periodic sync): one dossier per delivered
record, one delivery per outbox item."""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from motcua.dossiers.models import Dossier
from motcua.dossiers.reception import dossier_accept
from motcua.dossiers.testing import officer
from motcua.events.services import domain_events_of
from motcua.national import services
from motcua.national.constants import SyncStatus
from motcua.national.models import InboundRecord, SyncItem

pytestmark = pytest.mark.django_db(transaction=True)
WORKERS = 4


def _at_once(action: Callable[[], Any]) -> list[BaseException]:
    start = threading.Barrier(WORKERS)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            start.wait()
            action()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_workers_pulling_the_same_dossiers_at_once_make_one_dossier_each(national_demo, birth_version) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        national_demo.submit()
    assert _at_once(services.inbound_pull) == []
    assert Dossier.objects.count() == 3 and InboundRecord.objects.count() == 3
    assert len(national_demo.acknowledgements) == 3


def test_workers_dispatching_at_once_deliver_each_record_once_in_order(national_demo, birth_version) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        national_demo.submit()
    services.inbound_pull()
    reception = officer("xa.tn")
    for dossier in Dossier.objects.all():
        dossier_accept(dossier=dossier, officer=reception, revision=None)
    assert _at_once(services.sync_dispatch) == []
    assert not SyncItem.objects.exclude(status=SyncStatus.SENT).exists()
    assert set(national_demo.deliveries.values()) == {1}
    for dossier in Dossier.objects.all():
        stream = [event.seq for event in domain_events_of(dossier.pk)]
        assert len(stream) >= 3  # submitted, acknowledged, received at least
        assert national_demo.arrival_order(dossier.code) == stream
