"""What the carrier tells us about a shipment, by webhook or when we ask (the "http" plugin).

Each event is kept once (`ShipmentEvent.carrier_event_id`): a replayed webhook, or an event
seen both by webhook and by polling, changes nothing the second time. A delivery with its
proof returns the dossier through `shipment_delivered`, a return to the sender goes through
`shipment_failed`, acting for the officer who sent the shipment (the same checks as when the
officer records it). When those checks refuse (the return step was reassigned, fees unpaid…)
or the shipment is lost, the event is kept and the shipment flagged for staff, never dropped.
The proof image is kept apart from the dossier's "processed" instant, as evidence of delivery.
"""

import datetime
import logging
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.audit import audit_record
from motcua.core.errors import ApplicationError
from motcua.delivery import carrier_wire as wire
from motcua.delivery.carriers import CarrierUnavailable, WebhookRejected, carriers
from motcua.delivery.constants import CarrierNoticeVerdict, ShipmentEventKind, ShipmentStatus
from motcua.delivery.models import CarrierNotice, Shipment, ShipmentEvent
from motcua.delivery.services import shipment_delivered, shipment_failed
from motcua.documents.files import inspect_upload
from motcua.dossiers.models import Dossier
from motcua.dossiers.transitions import dossier_lock

logger = logging.getLogger(__name__)

# The carrier's statuses as the events kept when they close nothing: news on the way, and late
# news of a shipment already closed (delivered and returned close one in transit).
_EVENT_KINDS = {
    wire.CREATED: ShipmentEventKind.SENT,
    wire.DELIVERED: ShipmentEventKind.DELIVERED,
    wire.RETURNED: ShipmentEventKind.FAILED,
    wire.PICKED_UP: ShipmentEventKind.IN_TRANSIT,
    wire.IN_TRANSIT: ShipmentEventKind.IN_TRANSIT,
    wire.DELIVERY_FAILED: ShipmentEventKind.ATTEMPT_FAILED,
    wire.LOST: ShipmentEventKind.LOST,
}
# Asked about again at most this often when the carrier sends no webhook.
POLL_AFTER = datetime.timedelta(hours=1)


_CONCLUSIVE = {wire.DELIVERED, wire.RETURNED, wire.LOST}


def carrier_webhook_receive(*, body: bytes, signature: str) -> CarrierNotice:
    """Verify, record and apply one webhook. Every signed one is a recorded `CarrierNotice`; an
    unsigned or forged one is only logged (anyone can post it: it must not fill the database)."""
    try:
        event = carriers.get().webhook_verify(body=body, signature=signature)
    except WebhookRejected as rejected:
        logger.warning("Carrier webhook refused: %s", rejected.message)
        notice = CarrierNotice(verdict=rejected.verdict, detail=rejected.message[:300])
        if rejected.verdict != CarrierNoticeVerdict.BAD_SIGNATURE:
            notice.save()
        return notice
    return carrier_event_apply(event)


def carrier_event_apply(event: wire.TrackingEvent) -> CarrierNotice:
    shipment = Shipment.objects.filter(carrier_reference=event.order_code).order_by("-id").first()
    if shipment is None:
        return CarrierNotice.objects.create(
            verdict=CarrierNoticeVerdict.UNKNOWN_SHIPMENT,
            order_code=event.order_code,
            payload=event.raw,
            detail=_("Không có bưu gửi nào với mã đơn %(code)s.") % {"code": event.order_code},
        )
    try:
        verdict, detail = _apply(shipment, event)
    except IntegrityError:  # the same event, applied at the same moment by the other path
        verdict, detail = CarrierNoticeVerdict.DUPLICATE, ""
    return CarrierNotice.objects.create(
        verdict=verdict, order_code=event.order_code, shipment=shipment, payload=event.raw, detail=detail[:300]
    )


def _apply(shipment: Shipment, event: wire.TrackingEvent) -> tuple[str, str]:
    with transaction.atomic():
        dossier = dossier_lock(dossier_id=shipment.dossier_id, expected_revision=None)
        shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
        if shipment.events.filter(carrier_event_id=event.event_id).exists():
            return CarrierNoticeVerdict.DUPLICATE, ""
        shipment.last_event_at = timezone.now()
        shipment.save(update_fields=["last_event_at"])
        if shipment.status == ShipmentStatus.SENT and event.status == wire.DELIVERED:
            return CarrierNoticeVerdict.APPLIED, _delivered(shipment, dossier=dossier, event=event)
        if shipment.status == ShipmentStatus.SENT and event.status == wire.RETURNED:
            reason = _("Bưu chính chuyển hoàn: %(note)s") % {"note": event.note or _("không giao được")}
            return CarrierNoticeVerdict.APPLIED, _closing(
                shipment,
                event=event,
                kind=ShipmentEventKind.FAILED,
                close=lambda: shipment_failed(
                    dossier=dossier, officer=shipment.sent_by, reason=reason, revision=None, reported=event
                ),
            )
        # Anything else is news only, kept on the timeline.
        _event_keep(shipment, event=event, kind=_EVENT_KINDS[event.status])
        if event.status == wire.LOST and shipment.status == ShipmentStatus.SENT:
            _flag(shipment, _("Bưu chính báo bưu gửi bị thất lạc; hãy liên hệ bưu chính và người nộp."))
        elif event.status in _CONCLUSIVE and shipment.status != ShipmentStatus.SENT:
            # A delivery, return or loss reported after the shipment was closed contradicts it:
            # the status stays, a person checks with the carrier.
            _flag(
                shipment,
                _("Bưu chính báo “%(what)s” sau khi bưu gửi đã ở trạng thái “%(status)s”; hãy kiểm tra với bưu chính.")
                % {
                    "what": ShipmentEventKind(_EVENT_KINDS[event.status]).label,
                    "status": shipment.get_status_display(),
                },
            )
        return CarrierNoticeVerdict.APPLIED, ""


def _event_keep(shipment: Shipment, *, event: wire.TrackingEvent, kind: str) -> None:
    """Keep an event that changes no status; the dossier's revision moves on so that the public
    tracking page (cached per revision) shows it. The caller holds the dossier's lock."""
    Dossier.objects.filter(pk=shipment.dossier_id).update(revision=F("revision") + 1, updated_at=timezone.now())
    ShipmentEvent.objects.create(
        shipment=shipment,
        kind=kind,
        occurred_at=event.occurred_at,
        description=event.note,
        payload=event.raw,
        carrier_event_id=event.event_id,
    )


def _flag(shipment: Shipment, reason: str) -> None:
    shipment.attention = reason[:300]
    shipment.save(update_fields=["attention"])
    audit_record(
        actor=None, action="delivery.shipment_flagged", obj=shipment.dossier, summary={"shipment": shipment.pk}
    )


def _closing(shipment: Shipment, *, event: wire.TrackingEvent, kind: str, close: Any) -> str:
    """Close through the officer's service; when it refuses, keep the event and flag it."""
    try:
        with transaction.atomic():
            close()
    except ApplicationError as error:
        _event_keep(shipment, event=event, kind=kind)
        _flag(
            shipment,
            _("Bưu chính báo %(what)s nhưng hệ thống chưa ghi nhận được: %(why)s")
            % {
                "what": ShipmentEventKind(kind).label.lower(),
                "why": error.message,
            },
        )
        return error.message
    return ""


def _delivered(shipment: Shipment, *, dossier: Any, event: wire.TrackingEvent) -> str:
    proof = event.proof
    if proof is None:
        _event_keep(shipment, event=event, kind=ShipmentEventKind.DELIVERED)
        _flag(shipment, _("Bưu chính báo đã giao nhưng không gửi bằng chứng giao; hãy đề nghị bưu chính cung cấp."))
        return "no proof"
    try:
        # The same checks as a citizen's upload: a PNG or JPEG, no metadata kept.
        image = inspect_upload(name=f"bang-chung-giao-{shipment.pk}", data=proof.image)
        if image.extension == "pdf":
            raise ApplicationError(_("bưu chính gửi tệp PDF thay cho ảnh."), code="proof_not_image")
    except ApplicationError as error:
        _event_keep(shipment, event=event, kind=ShipmentEventKind.DELIVERED)
        _flag(shipment, _("Ảnh bằng chứng giao không hợp lệ: %(why)s") % {"why": error.message})
        return error.message
    detail = _closing(
        shipment,
        event=event,
        kind=ShipmentEventKind.DELIVERED,
        close=lambda: shipment_delivered(
            dossier=dossier,
            officer=shipment.sent_by,
            recipient_name=proof.recipient_name or _("(bưu chính không ghi tên)"),
            delivered_at=min(proof.delivered_at, timezone.now()),
            revision=None,
            reported=event,
        ),
    )
    shipment.refresh_from_db()
    shipment.proof_image.save(
        f"bang-chung-giao-{shipment.pk}.{image.extension}", ContentFile(image.content), save=False
    )
    shipment.save(update_fields=["proof_image"])
    return detail


def shipments_poll() -> dict[str, int]:
    """Ask the carrier about shipments it sent no news of for a while; flag as lost those
    silent for MOTCUA_CARRIER_LOST_DAYS. A carrier that is down is asked again next time."""
    now = timezone.now()
    plugin = carriers.get()
    applied = flagged = 0
    in_transit = Shipment.objects.filter(status=ShipmentStatus.SENT).exclude(carrier_reference="")
    if plugin.creates_orders:
        quiet = in_transit.exclude(last_event_at__gt=now - POLL_AFTER).exclude(polled_at__gt=now - POLL_AFTER)
        for shipment in quiet.order_by("polled_at", "id")[:200]:
            try:
                events = plugin.track(order_code=shipment.carrier_reference)
            except CarrierUnavailable as error:
                logger.warning("Carrier polling stopped: %s", error.message)
                break
            Shipment.objects.filter(pk=shipment.pk).update(polled_at=now)
            known = set(shipment.events.values_list("carrier_event_id", flat=True))
            # The carrier's "created" is our own "sent", recorded when the order was made.
            for event in events:
                if event.event_id not in known and event.status != wire.CREATED:
                    applied += carrier_event_apply(event).verdict == CarrierNoticeVerdict.APPLIED
    lost_days = settings.MOTCUA_CARRIER_LOST_DAYS
    silent_since = now - datetime.timedelta(days=lost_days)
    for shipment in in_transit.filter(attention="", last_event_at__lt=silent_since).select_related("dossier"):
        with transaction.atomic():
            _flag(
                shipment,
                _("Không có tin của bưu chính từ %(day)s (quá %(n)d ngày); bưu gửi có thể đã thất lạc.")
                % {
                    "day": timezone.localtime(shipment.last_event_at).strftime("%d/%m/%Y"),
                    "n": settings.MOTCUA_CARRIER_LOST_DAYS,
                },
            )
        flagged += 1
    return {"applied": applied, "flagged": flagged}
