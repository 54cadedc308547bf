"""Reads for the delivery panel of the officer's dossier page and the public tracking page."""

from typing import Any

from django.utils import timezone

from motcua.delivery.carriers import carriers
from motcua.delivery.constants import IdPaperKind, RecipientKind, ShipmentEventKind, ShipmentStatus
from motcua.delivery.models import HandOver, Shipment
from motcua.delivery.services import officer_may_deliver, return_step
from motcua.directory.addresses import address_text
from motcua.dossiers.constants import DeliveryMethod, DossierStatus
from motcua.dossiers.models import Dossier
from motcua.dossiers.processing import officer_holds_step
from motcua.dossiers.slips import applicant_name


def delivery_panel(*, dossier: Dossier, officer: Any) -> dict[str, Any]:
    """What the dossier page shows about the result's way to the citizen, and what this officer
    may do: hand it over at the counter, post it, or record what became of the shipment."""
    shipments = list(dossier.shipments.prefetch_related("events"))
    carrier = carriers.get()
    in_transit = next((s for s in shipments if s.status == ShipmentStatus.SENT), None)
    step = return_step(dossier) if dossier.status == DossierStatus.PROCESSED else None
    may_act = (
        step is not None
        and officer_may_deliver(officer=officer, dossier=dossier)
        and officer_holds_step(officer=officer, step=step)
    )
    return {
        "hand_over": HandOver.objects.filter(dossier=dossier).select_related("officer").first(),
        "shipments": shipments,
        "in_transit": in_transit,
        "may_hand_over": may_act and in_transit is None,
        "may_send": may_act and in_transit is None and dossier.delivery_method == DeliveryMethod.POST,
        "may_close_shipment": may_act and in_transit is not None,
        "applicant_name": applicant_name(dossier),
        "address": address_text(dossier.delivery_address),
        "default_carrier": carrier.label,
        "carrier_creates_orders": carrier.creates_orders,
        "today": timezone.localdate(),
        "now": timezone.localtime(),
        "recipient_kinds": RecipientKind.choices,
        "id_paper_kinds": IdPaperKind.choices,
    }


def shipment_public_state(*, dossier_id: int) -> dict[str, Any] | None:
    """The newest shipment as anyone with the dossier's code may see it: its state, carrier and
    dates. No tracking number (the carrier's own page would show the recipient's name and
    address), no address, no recipient."""
    shipment = (
        Shipment.objects.filter(dossier_id=dossier_id)
        .only("status", "carrier", "sent_on", "delivered_at")
        .order_by("-created_at", "-id")
        .first()
    )
    if shipment is None:
        return None
    return {
        "status": shipment.status,
        "label": str(ShipmentStatus(shipment.status).label),
        "carrier": shipment.carrier,
        "sent_on": shipment.sent_on,
        "delivered_at": shipment.delivered_at,
        # What happened and when, without the carrier's notes (they name places and people).
        "events": [
            {"kind": kind, "label": str(ShipmentEventKind(kind).label), "occurred_at": occurred_at}
            for kind, occurred_at in shipment.events.values_list("kind", "occurred_at")
        ],
    }
