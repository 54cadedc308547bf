"""One way to hand an outbox message to its channel's plugin, and one shape for refusals."""

import mimetypes
from pathlib import PurePosixPath

from django.core.files.storage import default_storage

from motcua.notifications.constants import NotificationChannel, OutboxAttachment
from motcua.notifications.mail import Attachment, EmailDeliveryError, email_senders, message_id_for
from motcua.notifications.models import OutboxMessage
from motcua.notifications.sms import SmsDeliveryError, sms_gateways
from motcua.notifications.zalo import ZaloDeliveryError, zalo_gateways

# SMS refusals that concern this message only (the provider is fine): no use retrying.
_SMS_PERMANENT = frozenset({"rejected"})


class ChannelFailure(Exception):
    """The provider did not take the message.

    `retryable`: worth trying again later (False: the message itself was refused).
    `provider_down`: the provider or our access to it failed, so the other messages of the
    channel wait too instead of each burning an attempt.
    """

    def __init__(self, reason: str, *, retryable: bool, provider_down: bool, detail: str = ""):
        super().__init__(f"{reason}{': ' + detail if detail else ''}")
        self.reason = reason
        self.retryable = retryable
        self.provider_down = provider_down
        self.detail = detail


def channel_send(message: OutboxMessage) -> str:
    """Send `message` through its channel's plugin; the provider's message id, or ChannelFailure."""
    try:
        if message.channel == NotificationChannel.SMS:
            return sms_gateways.get().send(phone=message.recipient, text=message.body, client_ref=message.provider_ref)
        if message.channel == NotificationChannel.ZALO:
            return zalo_gateways.get().send(
                phone=message.recipient,
                template_id=message.zns_template_id,
                template_data={str(k): str(v) for k, v in (message.zns_params or {}).items()},
                tracking_id=message.provider_ref,
            )
        if message.channel == NotificationChannel.EMAIL:
            return email_senders.get().send(
                to=message.recipient,
                subject=message.subject,
                body=message.body,
                message_id=message_id_for(message.provider_ref),
                attachments=_attachments(message),
            )
    except SmsDeliveryError as error:
        permanent = error.reason in _SMS_PERMANENT
        raise ChannelFailure(error.reason, retryable=not permanent, provider_down=not permanent) from error
    except (ZaloDeliveryError, EmailDeliveryError) as error:
        # "deferred": the mail server put off this one recipient (mailbox full…), not all mail.
        provider_down = error.retryable and error.reason != "deferred"
        raise ChannelFailure(
            error.reason, retryable=error.retryable, provider_down=provider_down, detail=error.detail
        ) from error
    raise ChannelFailure("unknown_channel", retryable=False, provider_down=False, detail=message.channel)


def _attachments(message: OutboxMessage) -> list[Attachment]:
    """The files `message` names, rendered now: the row stays small and a retry sends the same."""
    if not message.attachment:
        return []
    if message.attachment == OutboxAttachment.ACKNOWLEDGEMENT and message.dossier_id is not None:
        return [_acknowledgement_attachment(dossier_id=message.dossier_id)]
    if message.attachment == OutboxAttachment.STORED and default_storage.exists(message.attachment_file):
        with default_storage.open(message.attachment_file, "rb") as stored:
            content = stored.read()
        name = PurePosixPath(message.attachment_file).name
        return [Attachment(name, content, mimetypes.guess_type(name)[0] or "application/octet-stream")]
    # The dossier was deleted: an e-mail announcing a receipt it cannot carry is not sent.
    raise ChannelFailure("attachment_missing", retryable=False, provider_down=False, detail=message.attachment)


def _acknowledgement_attachment(*, dossier_id: int) -> Attachment:
    """The dossier's PDF receipt as the acknowledgement e-mail carries it."""
    from motcua.dossiers.acknowledgement import acknowledgement_pdf
    from motcua.dossiers.models import Dossier

    dossier = Dossier.objects.select_related("procedure_version__procedure", "agency", "applicant__citizen").get(
        pk=dossier_id
    )
    return Attachment(f"xac-nhan-{dossier.code}.pdf", acknowledgement_pdf(dossier=dossier), "application/pdf")
