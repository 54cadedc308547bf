"""E-mail for notifications: plain-text messages (with attachments the outbox renders when it
sends them) and a Message-ID fixed by the outbox.

Plugins (setting MOTCUA_PLUGINS["email"]):
- "demo" (embedded default): sends nothing; the outbox row, visible in the admin, is the record,
  and with the embedded profile's file backend a copy lands in var/mail/;
- "smtp": Django's SMTP backend to EMAIL_HOST:EMAIL_PORT (tests run a real SMTP server on
  127.0.0.1: motcua.notifications.testing.smtp_server).

SMTP cannot de-duplicate for us: the Message-ID, derived from the message's idempotency key,
is the same on every retry, so a mail system that already took the message can recognise a
second copy (docs/notifications.md, "exactly once").
"""

import logging
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend
from django.utils.translation import gettext as _

from motcua.core.errors import ApplicationError
from motcua.core.plugins import Registry

logger = logging.getLogger(__name__)


class EmailDeliveryError(ApplicationError):
    code = "email_delivery_failed"

    def __init__(self, reason: str, *, retryable: bool = True, detail: str = ""):
        super().__init__(_("Không gửi được thư điện tử."), extra={"reason": reason, "detail": detail})
        self.reason = reason
        self.retryable = retryable
        self.detail = detail


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str


class EmailSender(Protocol):
    def send(self, *, to: str, subject: str, body: str, message_id: str, attachments: Sequence[Attachment] = ()) -> str:
        """Hand the message over with header Message-ID `message_id`; returns that id."""
        ...


email_senders = Registry[EmailSender]("email")


def message_id_for(reference: str) -> str:
    return f"<{reference}@{settings.MOTCUA_EMAIL_MESSAGE_ID_DOMAIN}>"


def _email(
    *, to: str, subject: str, body: str, message_id: str, attachments: Sequence[Attachment], connection: Any
) -> EmailMessage:
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={"Message-ID": message_id},
        connection=connection,
    )
    for attachment in attachments:
        message.attach(attachment.filename, attachment.content, attachment.mimetype)
    return message


_FILE_BACKEND = "django.core.mail.backends.filebased.EmailBackend"


class DemoEmailSender:
    def send(self, *, to: str, subject: str, body: str, message_id: str, attachments: Sequence[Attachment] = ()) -> str:
        if settings.EMAIL_BACKEND == _FILE_BACKEND:
            # The embedded demo keeps a readable copy under EMAIL_FILE_PATH (var/mail/); no
            # other backend is used, so a staging server with this plugin mails nobody.
            _email(
                to=to, subject=subject, body=body, message_id=message_id, attachments=attachments, connection=None
            ).send(fail_silently=False)
        logger.info("Demo e-mail not sent to anyone: message_id=%s attachments=%d", message_id, len(attachments))
        return message_id


class SmtpEmailSender:
    def send(self, *, to: str, subject: str, body: str, message_id: str, attachments: Sequence[Attachment] = ()) -> str:
        connection = EmailBackend(
            host=settings.EMAIL_HOST,
            port=settings.EMAIL_PORT,
            username=settings.EMAIL_HOST_USER,
            password=settings.EMAIL_HOST_PASSWORD,
            use_tls=settings.EMAIL_USE_TLS,
            timeout=settings.EMAIL_TIMEOUT,
            fail_silently=False,
        )
        message = _email(
            to=to, subject=subject, body=body, message_id=message_id, attachments=attachments, connection=connection
        )
        try:
            sent = message.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _text in exc.recipients.values()]
            permanent = bool(codes) and all(code >= 500 for code in codes)
            raise EmailDeliveryError("rejected" if permanent else "deferred", retryable=not permanent) from exc
        except smtplib.SMTPDataError as exc:
            permanent = exc.smtp_code >= 500
            raise EmailDeliveryError("rejected" if permanent else "deferred", retryable=not permanent) from exc
        except (smtplib.SMTPException, OSError) as exc:
            # Refused connection, timeout, disconnect, refused sender or login: the server or
            # our configuration, not this message; retry later.
            logger.warning("SMTP server unavailable: message_id=%s error=%s", message_id, type(exc).__name__)
            raise EmailDeliveryError("unavailable", detail=type(exc).__name__) from exc
        if sent != 1:
            raise EmailDeliveryError("unavailable")
        logger.info("E-mail handed to the SMTP server: message_id=%s", message_id)
        return message_id


@email_senders.register("demo")
def _demo_sender() -> EmailSender:
    return DemoEmailSender()


@email_senders.register("smtp")
def _smtp_sender() -> EmailSender:
    return SmtpEmailSender()
