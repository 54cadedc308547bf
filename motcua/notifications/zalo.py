"""Zalo Notification Service (ZNS): template messages to a Zalo account, addressed by phone.

ZNS sends only templates Zalo approved beforehand: we send the template id and the value of
each parameter. Plugins (setting MOTCUA_PLUGINS["zalo"]):
- "demo" (embedded default): sends nothing; the outbox row is the record;
- "http": the ZNS API (POST {base}/message/template with an `access_token` header), simulated
  in tests by motcua.notifications.zalo_simulator.ZaloSimulator.

`tracking_id` is our de-duplication key: the outbox sends the same one on every retry of a
message, and the provider answers a repeated tracking_id with the first message's id.
"""

import logging
from typing import Any, Protocol

import httpx
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from motcua.core.errors import ApplicationError
from motcua.core.plugins import Registry
from motcua.core.privacy import mask_phone

logger = logging.getLogger(__name__)

# ZNS error codes that say "our side is misconfigured or Zalo is busy", worth retrying later;
# any other non-zero code refuses this message for good (bad phone, template, parameters…).
# -124: access token invalid or expired; -32: rate limit; -1: internal error.
_RETRYABLE_ERRORS = frozenset({-1, -32, -124})


class ZaloDeliveryError(ApplicationError):
    """The message could not be handed to Zalo. `reason` says why, `retryable` whether to retry."""

    code = "zalo_delivery_failed"

    def __init__(self, reason: str, *, retryable: bool = True, detail: str = ""):
        super().__init__(_("Không gửi được tin Zalo."), extra={"reason": reason, "detail": detail})
        self.reason = reason
        self.retryable = retryable
        self.detail = detail


def zalo_phone(phone: str) -> str:
    """ZNS addresses phones in international form without "+": "0912345678" → "84912345678"."""
    return "84" + phone[1:] if phone.startswith("0") else phone.lstrip("+")


class ZaloGateway(Protocol):
    def send(self, *, phone: str, template_id: str, template_data: dict[str, str], tracking_id: str) -> str:
        """Send a ZNS template message and return Zalo's message id; ZaloDeliveryError if refused."""
        ...


zalo_gateways = Registry[ZaloGateway]("zalo")


class DemoZaloGateway:
    """Sends nothing: the outbox row, visible in the admin, is all the demo keeps."""

    def send(self, *, phone: str, template_id: str, template_data: dict[str, str], tracking_id: str) -> str:
        logger.info("Demo Zalo message: template=%s ref=%s to=%s", template_id, tracking_id, mask_phone(phone))
        return f"demo-zalo-{tracking_id}"


class HttpZaloGateway:
    def __init__(self, *, base_url: str, access_token: str, timeout_seconds: float):
        if not base_url or not access_token:
            raise ImproperlyConfigured("The http Zalo plugin needs MOTCUA_ZALO_HTTP_URL and MOTCUA_ZALO_ACCESS_TOKEN.")
        self.url = base_url.rstrip("/") + "/message/template"
        self.access_token = access_token
        self.timeout = httpx.Timeout(timeout_seconds)

    def send(self, *, phone: str, template_id: str, template_data: dict[str, str], tracking_id: str) -> str:
        payload = {
            "phone": zalo_phone(phone),
            "template_id": template_id,
            "template_data": template_data,
            "tracking_id": tracking_id,
        }
        headers = {"access_token": self.access_token, "Accept": "application/json"}
        masked = mask_phone(phone)
        response = None
        with httpx.Client(timeout=self.timeout, follow_redirects=False) as client:
            for attempt in (1, 2):
                try:
                    response = client.post(self.url, json=payload, headers=headers)
                    break
                except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                    # Never reached Zalo: trying again cannot send twice.
                    logger.warning(
                        "Zalo unreachable (try %d of 2): ref=%s error=%s", attempt, tracking_id, type(exc).__name__
                    )
                except httpx.HTTPError as exc:
                    # Zalo may have the message; the retry (same tracking_id) is the outbox's.
                    logger.error("Zalo request failed: ref=%s to=%s error=%s", tracking_id, masked, type(exc).__name__)
                    raise ZaloDeliveryError(
                        "timeout" if isinstance(exc, httpx.TimeoutException) else "transport"
                    ) from exc
        if response is None:
            raise ZaloDeliveryError("unreachable")
        return self._message_id(response, tracking_id=tracking_id, masked=masked)

    def _message_id(self, response: httpx.Response, *, tracking_id: str, masked: str) -> str:
        if response.status_code in (401, 403):
            raise ZaloDeliveryError("unauthorized")
        if response.status_code >= 500:
            logger.error("Zalo unavailable: status=%d ref=%s", response.status_code, tracking_id)
            raise ZaloDeliveryError("unavailable")
        try:
            body: Any = response.json()
        except ValueError:
            body = None
        if response.status_code != 200 or not isinstance(body, dict) or not isinstance(body.get("error"), int):
            logger.error("Zalo answered unexpectedly: status=%d ref=%s", response.status_code, tracking_id)
            raise ZaloDeliveryError("bad_response", retryable=response.status_code != 400)
        error = body["error"]
        if error != 0:
            detail = f"{error} {str(body.get('message', ''))[:200]}"
            logger.error("Zalo refused the message: error=%s ref=%s to=%s", error, tracking_id, masked)
            retryable = error in _RETRYABLE_ERRORS
            raise ZaloDeliveryError("unauthorized" if error == -124 else "rejected", retryable=retryable, detail=detail)
        data = body.get("data")
        message_id = data.get("msg_id") if isinstance(data, dict) else None
        if not isinstance(message_id, str) or not message_id:
            raise ZaloDeliveryError("bad_response")
        logger.info("Zalo accepted: id=%s ref=%s to=%s", message_id, tracking_id, masked)
        return message_id


@zalo_gateways.register("demo")
def _demo_gateway() -> ZaloGateway:
    return DemoZaloGateway()


@zalo_gateways.register("http")
def _http_gateway() -> ZaloGateway:
    return HttpZaloGateway(
        base_url=settings.MOTCUA_ZALO_HTTP_URL,
        access_token=settings.MOTCUA_ZALO_ACCESS_TOKEN,
        timeout_seconds=settings.MOTCUA_HTTP_TIMEOUT_SECONDS,
    )
