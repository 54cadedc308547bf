"""A result the applicant asked to receive by post: the one-stop officer records the shipment
(carrier, parcel number, the dossier's address in names, day sent); the dossier stays processed
while it travels and the public tracking page says so, without the parcel number or anything
personal; the applicant is told the parcel number. Confirmed delivery returns the dossier
(completed, rating asked); a shipment sent back leaves the result at the counter, to be posted
again or handed over there."""

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from motcua.core.errors import ApplicationError
from motcua.delivery.constants import DEFAULT_CARRIER, IdPaperKind, RecipientKind, ShipmentEventKind, ShipmentStatus
from motcua.delivery.models import Shipment
from motcua.delivery.services import (
    DeliveryForbidden,
    handover_record,
    shipment_delivered,
    shipment_failed,
    shipment_send,
)
from motcua.delivery.testing import processed_dossier
from motcua.directory.constants import Role
from motcua.dossiers.constants import DeliveryMethod, DossierStatus
from motcua.dossiers.models import Dossier
from motcua.dossiers.testing import officer
from motcua.dossiers.transitions import StaleDossier
from motcua.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db
PARCEL = "EB123456789VN"


def _rev(dossier: Dossier) -> int:
    return Dossier.objects.get(pk=dossier.pk).revision


def _send(dossier: Dossier, **overrides: Any) -> Shipment:
    values: dict[str, Any] = {
        "officer": officer("xa.tn"),
        "carrier": "",
        "tracking_number": PARCEL.lower(),
        "sent_on": timezone.localdate(),
        "revision": _rev(dossier),
        **overrides,
    }
    return shipment_send(dossier=dossier, **values)


def _hand_over_at_the_counter(dossier: Dossier) -> None:
    """The applicant, Hùng, collects the result at the counter with his citizen ID."""
    handover_record(
        dossier=dossier,
        officer=officer("xa.tn"),
        recipient_kind=RecipientKind.APPLICANT,
        recipient_name="Nguyễn Văn Hùng",
        authorisation="",
        id_paper_kind=IdPaperKind.CITIZEN_ID,
        id_paper_number="066094000103",
        note="",
        revision=_rev(dossier),
    )


def _public_page(dossier: Dossier) -> str:
    return Client().get("/tra-cuu/", {"ma": dossier.code}).content.decode()


def test_sent_then_delivered_returns_the_dossier(hung, birth_version) -> None:  # type: ignore[no-untyped-def]
    dossier = processed_dossier(hung, birth_version, delivery=DeliveryMethod.POST)
    shipment = _send(dossier)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.PROCESSED
    assert shipment.carrier == DEFAULT_CARRIER and shipment.tracking_number == PARCEL
    assert shipment.address == "Số 1 Lê Duẩn, phường Tân Lập" and shipment.status == ShipmentStatus.SENT
    assert list(shipment.events.values_list("kind", flat=True)) == [ShipmentEventKind.SENT]
    page = _public_page(dossier)
    assert "Đang gửi qua bưu chính (Bưu điện (VNPost)" in page
    assert PARCEL not in page and "Lê Duẩn" not in page
    # The applicant alone is told the parcel number, once per shipment, on each channel.
    posted = OutboxMessage.objects.filter(dossier=dossier, event="result_posted")
    sms = posted.get(channel="sms")
    # (SMS text without accents: one GSM-7 segment costs less.)
    assert sms.body == f"Ket qua ho so {dossier.code} da gui qua buu chinh: Buu dien (VNPost), so hieu {PARCEL}."
    assert PARCEL in posted.get(channel="email").body

    delivered_at = timezone.now() - datetime.timedelta(minutes=5)
    shipment_delivered(
        dossier=dossier,
        officer=officer("xa.tn"),
        recipient_name="Nguyễn Văn Hùng",
        delivered_at=delivered_at,
        revision=_rev(dossier),
    )
    dossier.refresh_from_db()
    shipment.refresh_from_db()
    assert dossier.status == DossierStatus.RETURNED
    assert shipment.status == ShipmentStatus.DELIVERED and shipment.delivered_to == "Nguyễn Văn Hùng"
    assert shipment.delivered_at == delivered_at
    assert list(shipment.events.values_list("kind", flat=True)) == ["sent", "delivered"]
    events = set(OutboxMessage.objects.filter(dossier=dossier).values_list("event", flat=True))
    assert {"completed", "rating_requested"} <= events
    page = _public_page(dossier)
    assert "Đã trả kết quả" in page and "Đã giao qua bưu chính" in page and "Nguyễn Văn Hùng" not in page


def test_sent_back_then_handed_over_at_the_counter(hung, birth_version) -> None:  # type: ignore[no-untyped-def]
    dossier = processed_dossier(hung, birth_version, delivery=DeliveryMethod.POST)
    _send(dossier)
    # While it travels, the paper is not at the counter.
    with pytest.raises(ApplicationError) as travelling:
        _hand_over_at_the_counter(dossier)
    assert travelling.value.code == "shipment_in_transit"
    with pytest.raises(ApplicationError) as short:
        shipment_failed(dossier=dossier, officer=officer("xa.tn"), reason="x", revision=_rev(dossier))
    assert short.value.code == "delivery_field_required"
    failed = shipment_failed(
        dossier=dossier, officer=officer("xa.tn"), reason="Không có người nhận, đã báo phát", revision=_rev(dossier)
    )
    assert failed.status == ShipmentStatus.FAILED and failed.events.last().kind == ShipmentEventKind.FAILED
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.PROCESSED
    # Posted again: a second shipment; then handed over is no longer possible while it travels.
    again = _send(dossier, tracking_number="EB000000001VN")
    assert again.pk != failed.pk and Shipment.objects.filter(dossier=dossier).count() == 2
    shipment_failed(dossier=dossier, officer=officer("xa.tn"), reason="Địa chỉ không tồn tại", revision=_rev(dossier))
    _hand_over_at_the_counter(dossier)
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.RETURNED


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"tracking_number": ""}, "tracking_number"),
        ({"tracking_number": "số hiệu?"}, "tracking_number"),
        ({"sent_on": None}, "delivery_date"),
        ({"sent_on": timezone.localdate() + datetime.timedelta(days=2)}, "delivery_date"),
    ],
)
def test_bad_shipment_input_is_refused(hung, birth_version, overrides, code) -> None:  # type: ignore[no-untyped-def]
    dossier = processed_dossier(hung, birth_version, delivery=DeliveryMethod.POST)
    with pytest.raises(ApplicationError) as refused:
        _send(dossier, **overrides)
    assert refused.value.code == code
    assert not Shipment.objects.exists() and _rev(dossier) == dossier.revision


def test_delivery_needs_a_shipment_a_recipient_and_a_sensible_time(hung, birth_version) -> None:  # type: ignore[no-untyped-def]
    dossier = processed_dossier(hung, birth_version, delivery=DeliveryMethod.POST)
    reception = officer("xa.tn")
    with pytest.raises(ApplicationError) as nothing_sent:
        shipment_delivered(
            dossier=dossier, officer=reception, recipient_name="Hùng", delivered_at=timezone.now(), revision=None
        )
    assert nothing_sent.value.code == "shipment_not_sent"
    _send(dossier)
    for name, at, code in [
        ("", timezone.now(), "delivery_field_required"),
        ("Hùng", None, "delivery_date"),
        ("Hùng", timezone.now() + datetime.timedelta(hours=3), "delivery_date"),
        ("Hùng", timezone.now() - datetime.timedelta(days=5), "delivery_date"),
    ]:
        with pytest.raises(ApplicationError) as refused:
            shipment_delivered(dossier=dossier, officer=reception, recipient_name=name, delivered_at=at, revision=None)
        assert refused.value.code == code, (name, at)
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.PROCESSED


def test_post_only_when_chosen_once_and_by_the_one_stop_unit(hung, birth_version) -> None:  # type: ignore[no-untyped-def]
    counter = processed_dossier(hung, birth_version)
    with pytest.raises(ApplicationError) as not_post:
        _send(counter)
    assert not_post.value.code == "delivery_not_post"
    dossier = processed_dossier(hung, birth_version, delivery=DeliveryMethod.POST)
    with pytest.raises(DeliveryForbidden):
        _send(dossier, officer=officer("stp.tn", agency="STP"))
    with pytest.raises(DeliveryForbidden):
        _send(dossier, officer=officer("xa.vt", role=Role.CLERK))
    revision = _rev(dossier)
    _send(dossier, revision=revision)
    with pytest.raises(StaleDossier):
        _send(dossier, revision=revision)
    with pytest.raises(ApplicationError) as twice:
        _send(dossier, revision=None)
    assert twice.value.code == "shipment_in_transit"
    assert Shipment.objects.filter(dossier=dossier).count() == 1
