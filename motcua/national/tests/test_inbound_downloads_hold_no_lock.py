"""Papers are downloaded before the inbound record is locked: a slow portal must never hold a
database transaction open (on SQLite that would block every writer of the whole database)."""

from typing import Any

import pytest
from django.db import connection

from motcua.national.constants import InboundStatus
from motcua.national.models import InboundRecord
from motcua.national.portal import HttpNationalPortal
from motcua.national.tasks import national_sync_due


@pytest.mark.django_db(transaction=True)  # real transactions: the test sees whether one is open
def test_papers_are_fetched_outside_any_transaction(national_simulator, ward_staff, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    in_transaction: list[bool] = []
    fetch = HttpNationalPortal.paper

    def watched(self: Any, *, link: str) -> bytes:
        in_transaction.append(connection.in_atomic_block)
        return fetch(self, link=link)

    monkeypatch.setattr(HttpNationalPortal, "paper", watched)
    portal_id = national_simulator.state.submit()
    national_sync_due.call()
    assert InboundRecord.objects.get(portal_id=portal_id).status == InboundStatus.ACCEPTED
    assert in_transaction == [False]
