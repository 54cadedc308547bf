"""The stream goes to other systems: no ID number, phone or address in any payload."""

import json

import pytest

from motcua.delivery.services import shipment_send
from motcua.delivery.testing import processed_dossier
from motcua.dossiers.constants import DeliveryMethod
from motcua.dossiers.testing import officer
from motcua.events.models import DomainEvent
from motcua.events.tests.journeys import later, returned_dossier

pytestmark = pytest.mark.django_db


def test_payloads_hold_no_id_number_phone_or_address(hung, birth_version):
    """The applicant's ID number, phone and delivery address appear in none of the events."""
    returned_dossier(hung, birth_version)
    posted = processed_dossier(hung, birth_version, delivery=DeliveryMethod.POST)
    shipment_send(
        dossier=posted,
        officer=officer("xa.tn"),
        carrier="VNPost",
        tracking_number="EB123456789VN",
        sent_on=later(0).date(),
        revision=None,
    )
    profile = hung.citizen
    secrets = [profile.id_number, profile.phone, "84" + profile.phone[1:], "Lê Duẩn"]
    assert posted.delivery_address, "the posted dossier has an address to leak"
    events = list(DomainEvent.objects.all())
    assert len(events) > 15
    for event in events:
        text = json.dumps(event.payload, ensure_ascii=False) + event.actor_label
        for secret in secrets:
            assert secret not in text, f"{event.kind} carries {secret!r}"
