"""Writes for notifications: recording messages in the outbox, receipts, inbound texts, choices.

Recording is part of the event's own transaction (`notifications_enqueue_for_dossier`): the
dossier change and its messages commit together or not at all. Sending happens after commit
(outbox.py); nothing here talks to a provider.
"""

from __future__ import annotations

import datetime
import logging
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from motcua.catalog.constants import PaymentTiming
from motcua.core.audit import audit_record
from motcua.core.errors import ApplicationError
from motcua.core.phones import phone_normalize
from motcua.core.tasks import enqueue_on_commit
from motcua.dossiers.constants import DeliveryMethod, DossierStatus
from motcua.dossiers.fees import fees_blocking
from motcua.notifications.constants import (
    EMAIL_ATTACHMENTS,
    REPLY_CHANNELS,
    UNTEMPLATED_EVENTS,
    InboundOutcome,
    NotificationChannel,
    NotificationEvent,
    OutboxAttachment,
    OutboxStatus,
    WebhookKind,
)
from motcua.notifications.defaults import default_templates
from motcua.notifications.mail import Attachment
from motcua.notifications.models import (
    DemoSmsMessage,
    InboundMessage,
    NotificationTemplate,
    OutboxChannelPause,
    OutboxMessage,
    WebhookEvent,
)
from motcua.notifications.outbox import not_before
from motcua.notifications.privacy import mask_recipient
from motcua.notifications.smstext import sms_text_for_route
from motcua.notifications.templating import context_complete, template_render

if TYPE_CHECKING:
    from motcua.accounts.models import CitizenProfile
    from motcua.dossiers.models import Dossier

logger = logging.getLogger(__name__)

E = NotificationEvent

# The messages a status change sends, by the status reached. Reception's supplement request and
# the one during processing (the clock stops) tell the citizen the same thing. Receiving then
# moving straight on to processing sends one message, for the receipt and its appointment.
STATUS_EVENTS: dict[str, tuple[str, ...]] = {
    DossierStatus.SUBMITTED: (E.SUBMITTED,),
    DossierStatus.RECEIVED: (E.ACCEPTED,),
    DossierStatus.SUPPLEMENT_REQUESTED: (E.SUPPLEMENT_REQUESTED,),
    DossierStatus.PAUSED: (E.SUPPLEMENT_REQUESTED,),
    DossierStatus.REJECTED: (E.REJECTED,),
    DossierStatus.STOPPED: (E.STOPPED,),
    DossierStatus.PROCESSED: (E.RESULT_READY,),
    # The rating request follows the completion message (it is recorded after it).
    DossierStatus.RETURNED: (E.COMPLETED, E.RATING_REQUESTED),
}
# Events whose `reason` is the note of the status change (the officer's reasons).
_REASON_FROM_NOTE = frozenset({E.SUPPLEMENT_REQUESTED, E.REJECTED, E.STOPPED})
# Help replies per sender and hour, within MOTCUA_INBOUND_REPLIES_PER_HOUR.
HELP_REPLIES_PER_HOUR = 3
# Statuses a dossier is not visible in (not handed in yet).
_UNSUBMITTED = (DossierStatus.DRAFT, DossierStatus.AWAITING_CONFIRMATION)


# --- templates ------------------------------------------------------------------------------------


def _default_for(event: str, channel: str) -> dict[str, Any] | None:
    for default in default_templates():
        if default["event"] == event and default["channel"] == channel:
            return {k: v for k, v in default.items() if k not in ("event", "channel")}
    return None


def notification_templates_ensure() -> int:
    """Create the default template of every event and channel that has none; the number created.

    Never changes an existing template (administrators' wording wins). Idempotent: the data
    migration runs it once, load_demo and tests may run it again.
    """
    created = 0
    for default in default_templates():
        _template, was_created = NotificationTemplate.objects.get_or_create(
            event=default["event"],
            channel=default["channel"],
            defaults={k: v for k, v in default.items() if k not in ("event", "channel")},
        )
        created += int(was_created)
    return created


def notification_template_for(*, event: str, channel: str) -> NotificationTemplate | None:
    """The template of `event` on `channel`, created from the defaults if missing."""
    template = NotificationTemplate.objects.filter(event=event, channel=channel).first()
    if template is not None:
        return template
    default = _default_for(event, channel)
    if default is None:
        return None
    template, _created = NotificationTemplate.objects.get_or_create(event=event, channel=channel, defaults=default)
    return template


# --- recipients ---------------------------------------------------------------------------------


def _recipients(applicant: Any) -> list[tuple[str, str]]:
    """(channel, address) for each channel the applicant chose and can be reached on."""
    from motcua.accounts.models import CitizenProfile

    enabled = set(settings.MOTCUA_NOTIFICATION_CHANNELS)
    # Read now, not from a cached relation: the choice in force when the event happens counts.
    profile = CitizenProfile.objects.filter(user_id=applicant.pk).first()
    found: list[tuple[str, str]] = []
    if profile is None:
        # Not a citizen account (e.g. staff who applied): e-mail only, if they have one.
        address = str(getattr(applicant, "email", "") or "")
        if NotificationChannel.EMAIL in enabled and address:
            found.append((NotificationChannel.EMAIL, address))
        return found
    if NotificationChannel.EMAIL in enabled and profile.notify_email and profile.email:
        found.append((NotificationChannel.EMAIL, profile.email))
    phone = ""
    # Only a verified phone: an unverified one may be a typo, i.e. a stranger's.
    if profile.phone and profile.phone_verified_at:
        try:
            phone = phone_normalize(profile.phone)
        except ValueError:
            phone = ""
    if phone and NotificationChannel.SMS in enabled and profile.notify_sms:
        found.append((NotificationChannel.SMS, phone))
    if phone and NotificationChannel.ZALO in enabled and profile.notify_zalo:
        found.append((NotificationChannel.ZALO, phone))
    return found


# --- recording messages ---------------------------------------------------------------------------


def _dossier_context(dossier: Dossier) -> dict[str, Any]:
    """What anyone holding the code may know (as on the public tracking page): no personal data."""
    from motcua.dossiers.tracking import next_step_text, tracking_url

    status = DossierStatus(dossier.status)
    return {
        "code": dossier.code or "",
        "procedure_name": dossier.procedure_version.name,
        "agency_name": dossier.agency.name,
        "status_label": status.label,
        "due_date": dossier.due_at or dossier.expected_due_at,
        "next_step": next_step_text(dossier),
        "tracking_url": tracking_url(dossier) if dossier.code else "",
    }


def _rendered(*, channel: str, template: NotificationTemplate, context: Mapping[str, str]) -> dict[str, Any] | None:
    """The message fields `template` gives on `channel` (None: a Zalo template without an id)."""
    if channel == NotificationChannel.ZALO:
        if not template.zns_template_id:
            return None
        return {
            "zns_template_id": template.zns_template_id,
            "zns_params": {name: template_render(text, context) for name, text in template.zns_params.items()},
            "body": template_render(template.body, context) if template.body else "",
        }
    if channel == NotificationChannel.SMS:
        sms = sms_text_for_route(template_render(template.body, context))
        return {"body": sms.text, "sms_encoding": sms.encoding, "sms_segments": sms.segments}
    return {
        "subject": template_render(template.subject, context)[:255],
        "body": template_render(template.body, context),
    }


def _outbox_add(
    *,
    channel: str,
    event: str,
    template: NotificationTemplate,
    recipient: str,
    context: Mapping[str, str],
    key: str,
    dossier: Dossier | None,
) -> OutboxMessage | None:
    """The message named `key`, rendered and written once (None: the template cannot be sent)."""
    existing = OutboxMessage.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    try:
        fields = _rendered(channel=channel, template=template, context=context)
    except Exception:
        # A template changed behind the admin's back (its check bypassed) must not block the
        # dossier's change, nor leave the citizen uninformed: the default wording goes instead.
        logger.exception("Notification template %s/%s failed to render; using the default", event, channel)
        default = _default_for(event, channel)
        if default is None:
            return None
        fields = _rendered(channel=channel, template=NotificationTemplate(**default), context=context)
    if fields is None:
        logger.warning("No ZNS template id for event %s: no Zalo message", event)
        return None
    return _outbox_insert(
        channel=channel, event=event, recipient=recipient, key=key, dossier=dossier, template=template, **fields
    )


def _outbox_insert(
    *, channel: str, event: str, recipient: str, key: str, dossier: Dossier | None, **fields: Any
) -> OutboxMessage:
    now = timezone.now()
    try:
        with transaction.atomic():
            return OutboxMessage.objects.create(
                channel=channel,
                event=event,
                dossier=dossier,
                recipient=recipient,
                idempotency_key=key,
                provider_ref=OutboxMessage.reference_for(key),
                created_at=now,
                next_attempt_at=not_before(channel=channel, event=event, at=now),
                # The event's own attachment unless the caller names one (a stored file).
                **(
                    {"attachment": EMAIL_ATTACHMENTS.get(event, "") if channel == NotificationChannel.EMAIL else ""}
                    | fields
                ),
            )
    except IntegrityError:
        # The same event recorded concurrently: one row is enough.
        return OutboxMessage.objects.get(idempotency_key=key)


def notifications_email_record(
    *, event: str, to: str, subject: str, body: str, key: str, attachment: Attachment | None = None
) -> OutboxMessage:
    """Record an e-mail whose wording the caller wrote (constants.UNTEMPLATED_EVENTS, e.g. the
    officers' deadline digest), inside the caller's transaction; sent after commit like every
    message. `key` names the message: recording it again adds nothing. An `attachment` is kept
    in the storage, so every retry sends the same file."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("notifications_email_record must run inside the transaction of the event.")
    if event not in UNTEMPLATED_EVENTS:
        raise ValueError(f"Event {event!r} is worded by its templates: use notifications_enqueue_for_dossier")
    existing = OutboxMessage.objects.filter(idempotency_key=key).first()
    stored = {}
    if existing is None and attachment is not None:
        name = f"outbox/{OutboxMessage.reference_for(key)}/{attachment.filename}"
        stored = {
            "attachment": OutboxAttachment.STORED,
            "attachment_file": default_storage.save(name, ContentFile(attachment.content)),
        }
    message = existing or _outbox_insert(
        channel=NotificationChannel.EMAIL,
        event=event,
        recipient=to,
        key=key,
        dossier=None,
        subject=subject[:255],
        body=body,
        **stored,
    )
    _dispatch_after_commit([message.pk] if message.status == OutboxStatus.PENDING else [])
    return message


def _dispatch_after_commit(message_ids: list[int]) -> None:
    from motcua.notifications.tasks import outbox_send

    if message_ids:
        enqueue_on_commit(outbox_send, message_ids=message_ids)


def notifications_enqueue_for_dossier(
    *, dossier: Dossier, event: str, ref: str | None = None, context: Mapping[str, Any] | None = None
) -> list[OutboxMessage]:
    """Record the messages telling the applicant about `event`, one per chosen channel.

    Call inside the transaction of the event itself (they commit with it, and are sent after
    commit). `ref` tells occurrences of the same event apart: the dossier's revision by default
    (status changes), otherwise e.g. f"slip-{slip.pk}" or f"fee-{fee.pk}"; recording the same
    (dossier, event, ref) again adds nothing. `context` adds or overrides template names
    (constants.TEMPLATE_VARIABLES): `due_date` (date or datetime), `reason`, `amount` (int đồng
    or text)…
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("notifications_enqueue_for_dossier must run inside the transaction of the event.")
    if event not in E.values:
        raise ValueError(f"Unknown notification event {event!r}")
    ref = ref or f"r{dossier.revision}"
    values = {**_dossier_context(dossier), **(context or {})}
    rendered = context_complete(values)
    messages: list[OutboxMessage] = []
    for channel, recipient in _recipients(dossier.applicant):
        template = notification_template_for(event=event, channel=channel)
        if template is None or not template.is_active:
            continue
        message = _outbox_add(
            channel=channel,
            event=event,
            template=template,
            recipient=recipient,
            context=rendered,
            key=f"{dossier.pk}:{event}:{channel}:{ref}",
            dossier=dossier,
        )
        if message is not None:
            messages.append(message)
    _dispatch_after_commit([m.pk for m in messages if m.status == OutboxStatus.PENDING])
    return messages


def notifications_enqueue_for_transition(
    *, dossier: Dossier, from_status: str, to_status: str, note: str = ""
) -> list[OutboxMessage]:
    """The messages of a status change (STATUS_EVENTS); called by dossier_transition."""
    if (
        to_status == DossierStatus.PROCESSED
        and dossier.delivery_method == DeliveryMethod.ONLINE
        and not fees_blocking(dossier, before=PaymentTiming.RETURN)
    ):
        # Returned in the same action (the result goes to the citizen's store): the completion
        # message tells the same news, so the citizen gets one message, not two. A result
        # waiting for its fees is announced, with what to pay.
        return []
    messages: list[OutboxMessage] = []
    for event in STATUS_EVENTS.get(to_status, ()):
        context = {"reason": note} if event in _REASON_FROM_NOTE else {}
        if event == E.REJECTED:
            from motcua.payments.refunds import refund_promise

            context["refund"] = refund_promise(dossier)
        messages += notifications_enqueue_for_dossier(dossier=dossier, event=event, context=context)
    return messages


# --- delivery receipts --------------------------------------------------------------------------


def outbox_delivery_record(
    *, channel: str, provider_id: str, reference: str = "", delivered: bool, at: datetime.datetime | None = None
) -> OutboxMessage | None:
    """A provider's receipt: the message reached the phone (or will not). None if unknown.

    Found by the provider's message id, or by our reference when the receipt overtook the
    worker recording that id. Receipts never move a message backwards (a late "failed" after
    "delivered" changes nothing).
    """
    from django.utils.translation import gettext as _

    messages = OutboxMessage.objects.filter(channel=channel)
    message = None
    if provider_id:
        message = messages.filter(provider_id=provider_id).first()
    if message is None and reference:
        message = messages.filter(provider_ref=reference).first()
    if message is None:
        return None
    open_statuses = [OutboxStatus.SENDING, OutboxStatus.SENT]
    if delivered:
        OutboxMessage.objects.filter(pk=message.pk, status__in=open_statuses).update(
            status=OutboxStatus.DELIVERED,
            delivered_at=at or timezone.now(),
            provider_id=message.provider_id or provider_id,
            locked_until=None,
        )
    else:
        OutboxMessage.objects.filter(pk=message.pk, status__in=open_statuses).update(
            status=OutboxStatus.DEAD,
            provider_id=message.provider_id or provider_id,
            locked_until=None,
            last_error=_("Nhà cung cấp báo tin không đến được người nhận."),
        )
    message.refresh_from_db()
    return message


def outbox_message_resend(*, message: OutboxMessage, actor: Any) -> OutboxMessage:
    """An administrator sends a dead message again, as a new attempt series.

    If the provider had taken it (it has a provider id), the reference changes: otherwise the
    provider would drop the new attempt as a duplicate of the one that never arrived.
    """
    from django.utils.translation import gettext as _

    with transaction.atomic():
        locked = OutboxMessage.objects.select_for_update().get(pk=message.pk)
        if locked.status != OutboxStatus.DEAD:
            raise ApplicationError(
                _("Chỉ gửi lại được thông báo đã ngừng gửi."), code="outbox_not_dead", extra={"id": locked.pk}
            )
        if locked.provider_id:
            locked.resend_count += 1
        locked.provider_ref = OutboxMessage.reference_for(locked.idempotency_key, locked.resend_count)
        locked.status = OutboxStatus.PENDING
        locked.attempts = 0
        locked.provider_id = ""
        locked.last_error = ""
        locked.locked_until = None
        locked.next_attempt_at = not_before(channel=locked.channel, event=locked.event, at=timezone.now())
        locked.save()
        audit_record(
            actor=actor,
            action="notification.resend",
            obj=locked,
            summary={"channel": locked.channel, "event": locked.event, "to": mask_recipient(locked.recipient)},
        )
        _dispatch_after_commit([locked.pk])
    return locked


def outbox_channel_pause_lift(*, channel: str, actor: Any) -> bool:
    """An administrator lifts a channel's pause (its provider is back): its messages go at the
    next pass instead of after the pause. False when the channel was not paused."""
    from motcua.notifications.outbox import outbox_channel_resume

    with transaction.atomic():
        pause = OutboxChannelPause.objects.select_for_update().filter(channel=channel).first()
        if pause is None or pause.paused_until is None:
            return False
        outbox_channel_resume(channel=channel)
        audit_record(
            actor=actor,
            action="notification.channel_resume",
            obj=pause,
            summary={"channel": channel, "trips": pause.trips, "reason": pause.reason},
        )
    return True


# --- inbound texts: "HS <mã hồ sơ>" ----------------------------------------------------------------

# "HS", "Hs", "hồ sơ", "ho so"… then the code, with or without spaces or a colon between them.
_ASK = re.compile(r"^\s*(?:HS|HO\s*SO)\s*[:#.\-]?\s*(?P<code>[0-9A-Z][0-9A-Z.\-]*[0-9A-Z])\s*[.!?]*\s*$")


def inbound_code_parse(text: str) -> str | None:
    """The dossier code asked for in an inbound text, upper-cased; None if it asks nothing.

    Accents and case do not matter ("hồ sơ 000.01.50.h15-261127-0001" works).
    """
    decomposed = unicodedata.normalize("NFD", (text or "")[:200])
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("đ", "d").replace("Đ", "D")
    match = _ASK.match(plain.upper())
    return match.group("code") if match else None


def _replies_in_last_hour(*, channel: str, sender: str, outcomes: Sequence[str]) -> int:
    since = timezone.now() - datetime.timedelta(hours=1)
    return InboundMessage.objects.filter(
        channel=channel, sender=sender, received_at__gte=since, outcome__in=outcomes
    ).count()


def inbound_message_handle(*, channel: str, message_id: str, sender: str, text: str) -> InboundMessage:
    """Answer an inbound text through the same channel, via the outbox.

    "HS <code>" gets the dossier's status, appointment and next step (never anything personal:
    the sender may not be the applicant), an unknown code a "not found", anything else a
    short help text. Replies per sender are capped per hour (MOTCUA_INBOUND_REPLIES_PER_HOUR,
    help at most HELP_REPLIES_PER_HOUR); beyond that the text is recorded, unanswered. The same
    provider message id twice is handled once.
    """
    if channel not in REPLY_CHANNELS:
        raise ValueError(f"No inbound messages on channel {channel!r}")
    from motcua.dossiers.models import Dossier

    with transaction.atomic():
        existing = InboundMessage.objects.filter(channel=channel, provider_message_id=message_id).first()
        if existing is not None:
            return existing
        stored_text = (text or "")[:500]
        try:
            phone = phone_normalize(sender)
        except ValueError:
            logger.info("Inbound %s message %s: sender is not a Vietnamese phone, ignored", channel, message_id)
            return InboundMessage.objects.create(
                channel=channel,
                provider_message_id=message_id,
                sender=str(sender or "")[:32],
                text=stored_text,
                outcome=InboundOutcome.IGNORED,
            )
        code = inbound_code_parse(text)
        dossier = None
        if code is None:
            event, outcome = E.HELP_REPLY, InboundOutcome.HELP
        else:
            dossier = (
                Dossier.objects.select_related("procedure_version", "agency")
                .exclude(status__in=_UNSUBMITTED)
                .filter(code=code)
                .first()
            )
            event, outcome = (
                (E.STATUS_REPLY, InboundOutcome.STATUS) if dossier else (E.NOT_FOUND_REPLY, InboundOutcome.NOT_FOUND)
            )
        answered = [InboundOutcome.STATUS, InboundOutcome.NOT_FOUND, InboundOutcome.HELP]
        limited = _replies_in_last_hour(
            channel=channel, sender=phone, outcomes=answered
        ) >= settings.MOTCUA_INBOUND_REPLIES_PER_HOUR or (
            outcome == InboundOutcome.HELP
            and _replies_in_last_hour(channel=channel, sender=phone, outcomes=[InboundOutcome.HELP])
            >= HELP_REPLIES_PER_HOUR
        )
        reply = None
        if limited:
            outcome = InboundOutcome.RATE_LIMITED
            logger.warning("Inbound %s message %s from %s: rate limited", channel, message_id, mask_recipient(phone))
        else:
            values: dict[str, Any] = {"code": code or ""}
            if dossier is not None:
                public = _dossier_context(dossier)
                values.update(
                    {k: public[k] for k in ("code", "procedure_name", "status_label", "due_date", "next_step")}
                )
            template = notification_template_for(event=event, channel=channel)
            if template is not None and template.is_active:
                reply = _outbox_add(
                    channel=channel,
                    event=event,
                    template=template,
                    recipient=phone,
                    context=context_complete(values),
                    key=f"inbound:{channel}:{message_id}",
                    dossier=dossier,
                )
        inbound = InboundMessage.objects.create(
            channel=channel,
            provider_message_id=message_id,
            sender=phone,
            text=stored_text,
            outcome=outcome,
            dossier=dossier,
            reply=reply,
        )
        if reply is not None:
            _dispatch_after_commit([reply.pk])
    logger.info("Inbound %s message %s from %s: %s", channel, message_id, mask_recipient(phone), outcome)
    return inbound


def demo_sms_clear(phone: str) -> int:
    """Empty the demo SMS inbox of `phone` (the sample dossiers' used codes); the number removed."""
    deleted, _by_model = DemoSmsMessage.objects.filter(phone=phone).delete()
    return deleted


# --- citizens' choices ----------------------------------------------------------------------------


def notification_preferences_update(*, user: Any, email: bool, sms: bool, zalo: bool) -> CitizenProfile:
    """Set the channels a citizen gets news of their dossiers on."""
    from django.utils.translation import gettext as _

    from motcua.accounts.models import CitizenProfile

    with transaction.atomic():
        profile = CitizenProfile.objects.select_for_update().filter(user=user).first()
        if profile is None:
            raise ApplicationError(_("Hãy cập nhật thông tin cá nhân trước."), code="citizen_profile_missing")
        # Only switching a channel on needs the address; a choice kept as it was is never refused.
        if email and not profile.notify_email and not profile.email:
            raise ApplicationError(
                _("Hãy thêm địa chỉ thư điện tử ở trang Thông tin cá nhân để nhận thông báo qua thư."),
                code="notification_email_missing",
                extra={"field": "channels"},
            )
        switched_on = (sms and not profile.notify_sms) or (zalo and not profile.notify_zalo)
        if switched_on and not (profile.phone and profile.phone_verified_at):
            raise ApplicationError(
                _("Hãy xác thực số điện thoại để nhận thông báo qua SMS hoặc Zalo."),
                code="notification_phone_unverified",
                extra={"field": "channels"},
            )
        before = {"email": profile.notify_email, "sms": profile.notify_sms, "zalo": profile.notify_zalo}
        profile.notify_email, profile.notify_sms, profile.notify_zalo = email, sms, zalo
        profile.save(update_fields=["notify_email", "notify_sms", "notify_zalo"])
        audit_record(
            actor=user,
            action="citizen.notification_preferences",
            obj=profile,
            summary={"before": before, "after": {"email": email, "sms": sms, "zalo": zalo}},
        )
    return profile


# --- provider webhooks (signature already checked by the view) -------------------------------------


class WebhookInvalid(ApplicationError):
    code = "webhook_invalid"


class WebhookReplayed(ApplicationError):
    code = "webhook_replayed"


def _webhook_text(payload: Mapping[str, Any], name: str, *, required: bool = True, max_length: int = 128) -> str:
    from django.utils.translation import gettext as _

    value = payload.get(name, "")
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or len(value) > max_length or (required and not value.strip()):
        raise WebhookInvalid(_("Trường “%(name)s” thiếu hoặc không hợp lệ.") % {"name": name}, extra={"field": name})
    return value.strip()


def _webhook_event_record(*, channel: str, kind: str, event_id: str) -> WebhookEvent:
    """Inside the caller's transaction: the event, or WebhookReplayed if it came before."""
    from django.utils.translation import gettext as _

    try:
        with transaction.atomic():
            return WebhookEvent.objects.create(channel=channel, kind=kind, event_id=event_id)
    except IntegrityError:
        logger.warning("Webhook replayed: channel=%s kind=%s event=%s", channel, kind, event_id)
        raise WebhookReplayed(_("Sự kiện này đã được nhận trước đó.")) from None


def webhook_delivery_receive(*, channel: str, payload: Any) -> OutboxMessage | None:
    """A delivery receipt {"id", "msg_id", "status": "delivered"|"failed", "client_ref"/"tracking_id"?}.

    The message it concerns, or None when it matches none of ours (recorded and logged, not an
    error: the provider would only send it again).
    """
    from django.utils.translation import gettext as _

    if not isinstance(payload, dict):
        raise WebhookInvalid(_("Nội dung yêu cầu phải là một đối tượng JSON."))
    event_id = _webhook_text(payload, "id")
    provider_id = _webhook_text(payload, "msg_id", max_length=255)
    status = _webhook_text(payload, "status", max_length=20).lower()
    if status not in ("delivered", "failed"):
        raise WebhookInvalid(_("Trạng thái báo phát không hợp lệ."), extra={"field": "status"})
    reference = _webhook_text(
        payload, "client_ref" if channel == NotificationChannel.SMS else "tracking_id", required=False
    )
    with transaction.atomic():
        event = _webhook_event_record(channel=channel, kind=WebhookKind.DELIVERY, event_id=event_id)
        message = outbox_delivery_record(
            channel=channel, provider_id=provider_id, reference=reference, delivered=status == "delivered"
        )
        event.outcome = f"{status}:{message.pk}" if message else "unmatched"
        event.save(update_fields=["outcome"])
    if message is None:
        logger.warning("Delivery receipt for an unknown message: channel=%s event=%s", channel, event_id)
    return message


def webhook_inbound_receive(*, channel: str, payload: Any) -> InboundMessage:
    """An inbound text {"id", "from", "text"}: recorded once and answered (inbound_message_handle)."""
    from django.utils.translation import gettext as _

    if not isinstance(payload, dict):
        raise WebhookInvalid(_("Nội dung yêu cầu phải là một đối tượng JSON."))
    event_id = _webhook_text(payload, "id")
    sender = _webhook_text(payload, "from", max_length=32)
    text = payload.get("text", "")
    if not isinstance(text, str):
        text = ""  # garbage is answered with the help text, not refused
    with transaction.atomic():
        event = _webhook_event_record(channel=channel, kind=WebhookKind.INBOUND, event_id=event_id)
        inbound = inbound_message_handle(channel=channel, message_id=event_id, sender=sender, text=text)
        event.outcome = inbound.outcome
        event.save(update_fields=["outcome"])
    return inbound
