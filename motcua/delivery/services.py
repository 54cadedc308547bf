"""Handing the result to the citizen: at the counter, or by post until delivery is confirmed.

Who: a one-stop (reception) officer of the agency that received the dossier, who holds the
dossier's return step (or finds it in the unit's queue), the same rule as every step action.
A refusal changes nothing, is audited in its own transaction (it survives the refusal) and is
a `DeliveryForbidden` (the pages answer 403). Every action locks the dossier and checks the
revision the officer's page showed, so a double click or a stale page does nothing twice.

Ending: the counter hand-over and a confirmed postal delivery finish the return step through
`step_hand_over` (processed → returned), which sends the "completed" and rating messages.
A shipment on its way leaves the dossier processed: processing ended when the result was
issued, and the national on-time indicator reads that instant, not the postman's.
"""

import datetime
import re
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.catalog.constants import StepKind
from motcua.core.audit import audit_record
from motcua.core.errors import ApplicationError
from motcua.delivery.carrier_wire import CreatedOrder, TrackingEvent
from motcua.delivery.carriers import Carrier, carriers
from motcua.delivery.constants import (
    DEFAULT_CARRIER,
    IdPaperKind,
    RecipientKind,
    ShipmentEventKind,
    ShipmentStatus,
)
from motcua.delivery.models import HandOver, Shipment, ShipmentEvent
from motcua.directory.addresses import address_text
from motcua.dossiers.constants import DeliveryMethod, DossierStatus, StepStatus
from motcua.dossiers.models import Dossier, DossierStep
from motcua.dossiers.processing import officer_holds_step, step_hand_over
from motcua.dossiers.reception import officer_may_receive
from motcua.dossiers.slips import applicant_name
from motcua.dossiers.transitions import dossier_lock
from motcua.events.constants import EventKind
from motcua.events.services import domain_event_record

_TRACKING_NUMBER = re.compile(r"^[A-Za-z0-9-]{4,50}$")
_ID_PAPER_NUMBER = re.compile(r"^[A-Za-z0-9]{5,20}$")
_CITIZEN_ID_NUMBER = re.compile(r"^\d{12}$")


class DeliveryForbidden(ApplicationError):
    code = "delivery_forbidden"


# Who may act, checked before the action's transaction opens.


def officer_may_deliver(*, officer: Any, dossier: Dossier) -> bool:
    """The result leaves through the one-stop unit of the agency that received the dossier."""
    return officer_may_receive(officer=officer, dossier=dossier)


def return_step(dossier: Dossier) -> DossierStep | None:
    """The dossier's open return step (trả kết quả), if its result waits to be handed over."""
    return dossier.steps.filter(kind=StepKind.RETURN, status=StepStatus.ACTIVE).select_related("assignee").first()


def _refuse(*, officer: Any, dossier: Dossier, attempted: str, message: str) -> None:
    with transaction.atomic():
        audit_record(
            actor=officer,
            action="dossier.action_forbidden",
            obj=dossier,
            summary={"attempted": f"delivery.{attempted}", "code": DeliveryForbidden.code},
        )
    raise DeliveryForbidden(message)


def _step_for(*, dossier: Dossier, officer: Any, attempted: str, revision: int | None) -> DossierStep:
    """The return step this officer may act on, or a refusal (audited), a stale page or a state
    error. The revision is checked before the state so that a double click gets the stale
    message (the first click already changed the state); it is checked again under the lock."""
    if not officer_may_deliver(officer=officer, dossier=dossier):
        _refuse(
            officer=officer,
            dossier=dossier,
            attempted=attempted,
            message=_("Chỉ cán bộ Bộ phận Một cửa của cơ quan tiếp nhận hồ sơ được trả kết quả."),
        )
    with transaction.atomic():
        current = dossier_lock(dossier_id=dossier.pk, expected_revision=revision)
    step = return_step(current)
    if current.status != DossierStatus.PROCESSED or step is None:
        raise ApplicationError(_("Hồ sơ không ở trạng thái chờ trả kết quả."), code="dossier_wrong_state")
    if not officer_holds_step(officer=officer, step=step):
        holder = step.assignee.get_full_name() if step.assignee else ""
        _refuse(
            officer=officer,
            dossier=dossier,
            attempted=attempted,
            message=_("Việc trả kết quả hồ sơ này đang do %(name)s thực hiện; chỉ lãnh đạo được phân công lại.")
            % {"name": holder},
        )
    return step


# Checks of what the officer typed.


def _required(value: str, *, what: str, max_length: int, min_length: int = 2) -> str:
    value = " ".join(value.split())
    if len(value) < min_length:
        raise ApplicationError(_("Hãy nhập %(what)s.") % {"what": what}, code="delivery_field_required")
    if len(value) > max_length:
        raise ApplicationError(
            _("%(what)s dài quá %(n)d ký tự.") % {"what": what.capitalize(), "n": max_length},
            code="delivery_field_too_long",
        )
    return value


def _id_paper(kind: str, number: str) -> tuple[str, str]:
    if kind not in IdPaperKind.values:
        raise ApplicationError(_("Hãy chọn loại giấy tờ tùy thân người nhận xuất trình."), code="id_paper_kind")
    number = "".join(number.split()).upper()
    pattern = _CITIZEN_ID_NUMBER if kind == IdPaperKind.CITIZEN_ID else _ID_PAPER_NUMBER
    if not pattern.match(number):
        message = (
            _("Số thẻ căn cước gồm đúng 12 chữ số.")
            if kind == IdPaperKind.CITIZEN_ID
            else _("Số giấy tờ tùy thân gồm 5 đến 20 chữ cái hoặc chữ số.")
        )
        raise ApplicationError(message, code="id_paper_number")
    return kind, number


def _not_in_future(moment: datetime.datetime | datetime.date, *, what: str) -> None:
    now = timezone.localtime()
    later = moment > now if isinstance(moment, datetime.datetime) else moment > now.date()
    if later:
        raise ApplicationError(_("%(what)s không được sau thời điểm hiện tại.") % {"what": what}, code="delivery_date")


def _touch(dossier: Dossier) -> None:
    """A change that is not a status change: pages opened before it go stale."""
    dossier.revision += 1
    dossier.save(update_fields=["revision", "updated_at"])


def _shipment_in_transit(dossier: Dossier) -> Shipment | None:
    return Shipment.objects.select_for_update().filter(dossier=dossier, status=ShipmentStatus.SENT).first()


# At the counter.


def handover_record(
    *,
    dossier: Dossier,
    officer: Any,
    recipient_kind: str,
    recipient_name: str,
    authorisation: str,
    id_paper_kind: str,
    id_paper_number: str,
    note: str,
    revision: int | None,
) -> HandOver:
    """The result handed over at the counter to the applicant or an authorised person, who shows
    an identity paper; the dossier is returned. Also for a post delivery whose citizen came in."""
    step = _step_for(dossier=dossier, officer=officer, attempted="hand_over", revision=revision)
    if recipient_kind not in RecipientKind.values:
        raise ApplicationError(_("Hãy chọn người nhận là người nộp hay người được ủy quyền."), code="recipient_kind")
    name = _required(recipient_name, what=_("họ và tên người nhận"), max_length=200)
    if recipient_kind == RecipientKind.AUTHORISED:
        authorisation = _required(
            authorisation, what=_("quan hệ và giấy ủy quyền của người nhận"), max_length=300, min_length=5
        )
    else:
        authorisation = ""
    paper_kind, paper_number = _id_paper(id_paper_kind, id_paper_number)
    with transaction.atomic():
        locked = dossier_lock(dossier_id=dossier.pk, expected_revision=revision)
        if _shipment_in_transit(locked) is not None:
            raise ApplicationError(
                _("Kết quả đang gửi qua bưu chính; hãy ghi nhận bưu gửi bị trả lại trước khi trả tại quầy."),
                code="shipment_in_transit",
            )
        # No name or paper number in the status note: the applicant's tracking page shows it.
        returned = step_hand_over(
            step=step,
            officer=officer,
            note=str(_("Trả kết quả tại Bộ phận Một cửa")),
            revision=locked.revision,
        )
        hand_over = HandOver.objects.create(
            dossier=returned,
            recipient_kind=recipient_kind,
            recipient_name=name,
            authorisation=authorisation,
            id_paper_kind=paper_kind,
            id_paper_number=paper_number,
            officer=officer,
            handed_at=returned.returned_at or timezone.now(),
            note=" ".join(note.split())[:500],
        )
        audit_record(
            actor=officer,
            action="delivery.handed_over",
            obj=returned,
            summary={"recipient_kind": recipient_kind, "id_paper_kind": paper_kind},
        )
        return hand_over


# By post.


def shipment_send(
    *,
    dossier: Dossier,
    officer: Any,
    carrier: str,
    tracking_number: str,
    sent_on: datetime.date | None,
    revision: int | None,
) -> Shipment:
    """The result is posted to the address the applicant gave; the dossier stays processed."""
    _step_for(dossier=dossier, officer=officer, attempted="shipment_send", revision=revision)
    if dossier.delivery_method != DeliveryMethod.POST:
        raise ApplicationError(
            _("Người nộp không đăng ký nhận kết quả qua bưu chính; hãy trả kết quả tại quầy."),
            code="delivery_not_post",
        )
    plugin = carriers.get()
    if plugin.creates_orders:
        # Outside the transaction: an order the carrier made while our transaction then failed
        # (a stale page) is found again by the same order code on the next try.
        order = _carrier_order(dossier=dossier, plugin=plugin)
        carrier, number, sent_on = plugin.label, order.tracking_number, timezone.localdate()
    else:
        order = None
        carrier = _required(carrier or DEFAULT_CARRIER, what=_("đơn vị bưu chính"), max_length=100)
        number = "".join(tracking_number.split()).upper()
        if not _TRACKING_NUMBER.match(number):
            raise ApplicationError(
                _("Hãy nhập số hiệu bưu gửi (4 đến 50 chữ cái, chữ số hoặc dấu gạch ngang)."), code="tracking_number"
            )
        if sent_on is None:
            raise ApplicationError(_("Hãy nhập ngày gửi."), code="delivery_date")
        _not_in_future(sent_on, what=_("Ngày gửi"))
    with transaction.atomic():
        locked = dossier_lock(dossier_id=dossier.pk, expected_revision=revision)
        if locked.status != DossierStatus.PROCESSED:
            raise ApplicationError(_("Hồ sơ không ở trạng thái chờ trả kết quả."), code="dossier_wrong_state")
        if _shipment_in_transit(locked) is not None:
            raise ApplicationError(_("Kết quả của hồ sơ này đang được gửi."), code="shipment_in_transit")
        shipment = Shipment.objects.create(
            dossier=locked,
            carrier=carrier,
            tracking_number=number,
            address=address_text(locked.delivery_address),
            sent_on=sent_on,
            sent_by=officer,
            carrier_reference=order.order_code if order else "",
            charge=order.charge if order else 0,
            last_event_at=timezone.now(),
        )
        ShipmentEvent.objects.create(
            shipment=shipment, kind=ShipmentEventKind.SENT, occurred_at=timezone.now(), recorded_by=officer
        )
        _touch(locked)
        audit_record(
            actor=officer,
            action="delivery.shipment_sent",
            obj=locked,
            summary={"shipment": shipment.pk, "carrier": carrier, "tracking_number": number},
        )
        # The parcel number goes to the applicant through the event's consumers (the public
        # tracking page does not show it); the address stays out of the stream.
        domain_event_record(
            dossier=locked,
            kind=EventKind.RESULT_POSTED,
            actor=officer,
            payload={"shipment_id": shipment.pk, "carrier": carrier, "tracking_number": number, "sent_on": sent_on},
        )
        return shipment


def _carrier_order(*, dossier: Dossier, plugin: Carrier) -> CreatedOrder:
    """The carrier's order for the result, to the address and phone the applicant gave."""
    profile = getattr(dossier.applicant, "citizen", None)
    phone = ((profile.phone if profile else "") or "").strip()
    if not phone:
        raise ApplicationError(
            _("Người nộp chưa có số điện thoại; bưu chính cần số điện thoại người nhận. Hãy trả kết quả tại quầy."),
            code="recipient_phone_missing",
        )
    return plugin.create(
        # One order per attempt: a retry of the same attempt gets the same order back.
        client_order_code=f"{dossier.code}-{dossier.shipments.count() + 1}",
        sender={
            "name": dossier.agency.name,
            "phone": settings.MOTCUA_CARRIER_SENDER_PHONE,
            "address": dossier.agency.unit.name,
        },
        recipient={"name": applicant_name(dossier), "phone": phone, "address": address_text(dossier.delivery_address)},
        content=str(_("Kết quả giải quyết hồ sơ %(code)s") % {"code": dossier.code}),
    )


def shipment_delivered(
    *,
    dossier: Dossier,
    officer: Any,
    recipient_name: str,
    delivered_at: datetime.datetime | None,
    revision: int | None,
    reported: TrackingEvent | None = None,
) -> Shipment:
    """The carrier delivered the result (the officer saw the proof, or the carrier `reported`
    it on the officer's behalf who sent it): the dossier is returned."""
    step = _step_for(dossier=dossier, officer=officer, attempted="shipment_delivered", revision=revision)
    name = _required(recipient_name, what=_("họ và tên người nhận bưu gửi"), max_length=200)
    if delivered_at is None:
        raise ApplicationError(_("Hãy nhập thời điểm giao."), code="delivery_date")
    _not_in_future(delivered_at, what=_("Thời điểm giao"))
    with transaction.atomic():
        locked = dossier_lock(dossier_id=dossier.pk, expected_revision=revision)
        shipment = _shipment_in_transit(locked)
        if shipment is None:
            raise ApplicationError(_("Không có bưu gửi nào đang trên đường giao."), code="shipment_not_sent")
        if timezone.localdate(delivered_at) < shipment.sent_on:
            raise ApplicationError(_("Thời điểm giao không được trước ngày gửi."), code="delivery_date")
        step_hand_over(
            step=step,
            officer=officer,
            note=str(_("Đã giao kết quả qua bưu chính (%(carrier)s)") % {"carrier": shipment.carrier}),
            revision=locked.revision,
        )
        _close(
            shipment,
            officer=officer,
            status=ShipmentStatus.DELIVERED,
            kind=ShipmentEventKind.DELIVERED,
            reported=reported,
        )
        shipment.delivered_at, shipment.delivered_to = delivered_at, name
        shipment.save(update_fields=["delivered_at", "delivered_to"])
        audit_record(
            actor=officer,
            action="delivery.shipment_delivered",
            obj=locked,
            summary={"shipment": shipment.pk, "reported_by_carrier": reported is not None},
        )
        return shipment


def shipment_failed(
    *, dossier: Dossier, officer: Any, reason: str, revision: int | None, reported: TrackingEvent | None = None
) -> Shipment:
    """The carrier could not deliver and sent the result back (the officer recorded it, or the
    carrier `reported` it): it waits again at the one-stop unit, to be posted again or handed
    over at the counter."""
    _step_for(dossier=dossier, officer=officer, attempted="shipment_failed", revision=revision)
    text = _required(reason, what=_("lý do bưu chính không giao được"), max_length=500, min_length=5)
    with transaction.atomic():
        locked = dossier_lock(dossier_id=dossier.pk, expected_revision=revision)
        shipment = _shipment_in_transit(locked)
        if shipment is None:
            raise ApplicationError(_("Không có bưu gửi nào đang trên đường giao."), code="shipment_not_sent")
        shipment.failure_reason = text
        _close(
            shipment,
            officer=officer,
            status=ShipmentStatus.FAILED,
            kind=ShipmentEventKind.FAILED,
            note=text,
            reported=reported,
        )
        _touch(locked)
        audit_record(
            actor=officer,
            action="delivery.shipment_failed",
            obj=locked,
            summary={"shipment": shipment.pk, "reported_by_carrier": reported is not None},
        )
        return shipment


def _close(
    shipment: Shipment, *, officer: Any, status: str, kind: str, note: str = "", reported: TrackingEvent | None = None
) -> None:
    """Close the shipment with its last event: the officer's, or the carrier's as it came."""
    shipment.status = status
    shipment.closed_by = None if reported else officer
    shipment.save(update_fields=["status", "closed_by", "failure_reason"])
    ShipmentEvent.objects.create(
        shipment=shipment,
        kind=kind,
        occurred_at=reported.occurred_at if reported else timezone.now(),
        description=note or (reported.note if reported else ""),
        recorded_by=None if reported else officer,
        payload=reported.raw if reported else {},
        carrier_event_id=reported.event_id if reported else "",
    )
