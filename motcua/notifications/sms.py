"""Text messages (SMS): the gateway protocol and its plugins (phone numbers: motcua.core.phones).

Plugins (setting MOTCUA_PLUGINS["sms"]):
- "demo" (embedded default): stores each message in DemoSmsMessage for the demo inbox page;
- "http": the provider's JSON-over-HTTP API, described in docs/sms-and-otp.md and simulated
  in tests by motcua.notifications.simulator.SmsSimulator.

Phone numbers never reach a log line unmasked (motcua.core.privacy.mask_phone), and message
texts are never logged at all: they carry one-time codes.
"""

import contextlib
import logging
import uuid
from typing import Protocol

import httpx
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from motcua.core.errors import ApplicationError
from motcua.core.phones import phone_normalize
from motcua.core.plugins import Registry
from motcua.core.privacy import mask_phone

logger = logging.getLogger(__name__)


class SmsDeliveryError(ApplicationError):
    """The message could not be handed to the SMS provider. `extra["reason"]` says why."""

    code = "sms_delivery_failed"

    def __init__(self, reason: str, message: str | None = None):
        super().__init__(
            message or _("Không gửi được tin nhắn SMS. Vui lòng thử lại sau ít phút."),
            extra={"reason": reason},
        )
        self.reason = reason


class SmsGateway(Protocol):
    def send(self, *, phone: str, text: str, client_ref: str | None = None) -> str:
        """Hand the message to the provider and return the provider's message id.

        `client_ref` is the sender's de-duplication key: a second message with the same key is
        answered with the first one's id and not sent again. The outbox passes a key derived
        from the message's idempotency key, so a retry after a crash cannot send twice; without
        one (one-time codes) each call gets a fresh key.

        Raises SmsDeliveryError when the provider did not take the message.
        """
        ...


sms_gateways = Registry[SmsGateway]("sms")


class DemoSmsGateway:
    """Keeps the messages in the database so the demo can show them instead of sending them."""

    def send(self, *, phone: str, text: str, client_ref: str | None = None) -> str:
        from motcua.notifications.models import DemoSmsMessage

        # Stored in national form so the demo inbox finds it however the number was typed.
        with contextlib.suppress(ValueError):
            phone = phone_normalize(phone)
        if client_ref:
            earlier = DemoSmsMessage.objects.filter(client_ref=client_ref).first()
            if earlier is not None:
                return f"demo-{earlier.pk}"
        message = DemoSmsMessage.objects.create(phone=phone, text=text, client_ref=client_ref or "")
        logger.info("Demo SMS stored: id=%s to=%s", message.pk, mask_phone(phone))
        return f"demo-{message.pk}"


class HttpSmsGateway:
    """The provider's HTTP API: POST {base_url}/messages with a bearer token, answered 202 {"id"}."""

    def __init__(self, *, base_url: str, token: str, timeout_seconds: float):
        if not base_url or not token:
            raise ImproperlyConfigured("The http SMS plugin needs MOTCUA_SMS_HTTP_URL and MOTCUA_SMS_HTTP_TOKEN.")
        self.url = base_url.rstrip("/") + "/messages"
        self.token = token
        self.timeout = httpx.Timeout(timeout_seconds)

    def send(self, *, phone: str, text: str, client_ref: str | None = None) -> str:
        # One client_ref for both tries: a provider that de-duplicates on it sends the message once
        # even if our first request did reach it.
        client_ref = client_ref or str(uuid.uuid4())
        payload = {"to": phone, "text": text, "client_ref": client_ref}
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        masked = mask_phone(phone)
        with httpx.Client(timeout=self.timeout, follow_redirects=False) as client:
            response = None
            for attempt in (1, 2):
                try:
                    response = client.post(self.url, json=payload, headers=headers)
                    break
                except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                    # The request never reached the provider, so trying again cannot send twice.
                    logger.warning(
                        "SMS provider unreachable (try %d of 2): ref=%s to=%s error=%s",
                        attempt,
                        client_ref,
                        masked,
                        type(exc).__name__,
                    )
                except httpx.TimeoutException as exc:
                    # The provider may have taken the message: do not send it again.
                    logger.error(
                        "SMS provider timed out: ref=%s to=%s error=%s", client_ref, masked, type(exc).__name__
                    )
                    raise SmsDeliveryError("timeout") from exc
                except httpx.HTTPError as exc:
                    logger.error("SMS request failed: ref=%s to=%s error=%s", client_ref, masked, type(exc).__name__)
                    raise SmsDeliveryError("transport") from exc
            if response is None:
                raise SmsDeliveryError("unreachable")
        return self._message_id(response, client_ref=client_ref, masked=masked)

    def _message_id(self, response: httpx.Response, *, client_ref: str, masked: str) -> str:
        if response.status_code in (401, 403):
            logger.error("SMS provider refused our credentials: status=%d ref=%s", response.status_code, client_ref)
            raise SmsDeliveryError("unauthorized")
        if response.status_code != 202:
            logger.error(
                "SMS provider refused the message: status=%d ref=%s to=%s", response.status_code, client_ref, masked
            )
            raise SmsDeliveryError("unavailable" if response.status_code >= 500 else "rejected")
        try:
            message_id = response.json()["id"]
        except (ValueError, KeyError, TypeError):
            message_id = None
        if not isinstance(message_id, str | int) or isinstance(message_id, bool) or str(message_id) == "":
            logger.error("SMS provider answered 202 without a message id: ref=%s", client_ref)
            raise SmsDeliveryError("bad_response")
        logger.info("SMS accepted by provider: id=%s ref=%s to=%s", message_id, client_ref, masked)
        return str(message_id)


@sms_gateways.register("demo")
def _demo_gateway() -> SmsGateway:
    return DemoSmsGateway()


@sms_gateways.register("http")
def _http_gateway() -> SmsGateway:
    return HttpSmsGateway(
        base_url=settings.MOTCUA_SMS_HTTP_URL,
        token=settings.MOTCUA_SMS_HTTP_TOKEN,
        timeout_seconds=settings.MOTCUA_HTTP_TIMEOUT_SECONDS,
    )
