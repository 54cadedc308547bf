"""Postal carriers as plugins (MOTCUA_PLUGINS["carrier"]): "manual", today's way (the officer
posts the result and types the parcel number), and "http", a carrier's API (carrier_wire.py:
quote, create an order, track it, signed tracking webhooks). The rest of the app sees only
this interface; docs/delivery.md describes both.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Protocol

import httpx
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from motcua.core.errors import ApplicationError
from motcua.core.outbound import unanswered_raises
from motcua.core.plugins import Registry
from motcua.delivery import carrier_wire as wire
from motcua.delivery.constants import DEFAULT_CARRIER, CarrierNoticeVerdict

logger = logging.getLogger(__name__)


class CarrierUnavailable(ApplicationError):
    """The carrier could not be reached or answered nonsense: nothing was done, try later."""

    code = "carrier_unavailable"


class CarrierRefused(ApplicationError):
    """The carrier refused the request as made (an address it cannot serve, …)."""

    code = "carrier_refused"


class WebhookRejected(Exception):
    """A tracking webhook that must change nothing; `verdict` is a `CarrierNoticeVerdict`."""

    def __init__(self, verdict: str, message: str):
        super().__init__(message)
        self.verdict = verdict
        self.message = message


class Carrier(Protocol):
    key: str
    label: str  # the carrier's name, as shipments record it
    creates_orders: bool  # False: the officer posts the parcel and types its number

    def quote(self, *, to_address: str) -> int | None:
        """The postal charge in đồng to that address (None: the carrier quotes no charge)."""

    def create(
        self, *, client_order_code: str, sender: dict[str, str], recipient: dict[str, str], content: str
    ) -> wire.CreatedOrder:
        """Create the shipment order (idempotent on `client_order_code`)."""

    def track(self, *, order_code: str) -> list[wire.TrackingEvent]:
        """Every tracking event of an order so far."""

    def webhook_verify(self, *, body: bytes, signature: str) -> wire.TrackingEvent:
        """A webhook's event once its signature is checked; raises WebhookRejected."""


carriers: Registry[Carrier] = Registry("carrier")


class ManualCarrier:
    key = "manual"
    label = DEFAULT_CARRIER
    creates_orders = False

    def quote(self, *, to_address: str) -> int | None:
        return None

    def create(
        self, *, client_order_code: str, sender: dict[str, str], recipient: dict[str, str], content: str
    ) -> wire.CreatedOrder:
        raise CarrierRefused(_("Đơn vị bưu chính này không nhận đơn qua hệ thống; hãy nhập số hiệu bưu gửi."))

    def track(self, *, order_code: str) -> list[wire.TrackingEvent]:
        return []

    def webhook_verify(self, *, body: bytes, signature: str) -> wire.TrackingEvent:
        raise WebhookRejected(CarrierNoticeVerdict.BAD_SIGNATURE, "no carrier API is configured")


class HttpCarrier:
    key = "http"
    creates_orders = True

    def __init__(self, *, base_url: str, token: str, secret: str, label: str, timeout: float):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.secret = secret
        self.label = label
        self.timeout = timeout

    @classmethod
    def from_settings(cls) -> HttpCarrier:
        return cls(
            base_url=settings.MOTCUA_CARRIER_HTTP_URL,
            token=settings.MOTCUA_CARRIER_HTTP_TOKEN,
            secret=settings.MOTCUA_CARRIER_WEBHOOK_SECRET,
            label=settings.MOTCUA_CARRIER_NAME,
            timeout=float(settings.MOTCUA_HTTP_TIMEOUT_SECONDS),
        )

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        if not self.base_url:
            raise CarrierUnavailable(_("Chưa cấu hình địa chỉ dịch vụ bưu chính (MOTCUA_CARRIER_HTTP_URL)."))
        headers = {"Token": self.token, "Accept": "application/json"}
        with unanswered_raises(
            timed_out=CarrierUnavailable(
                _("Dịch vụ bưu chính không trả lời kịp thời; chưa gửi được, hãy thử lại sau.")
            ),
            unreachable=CarrierUnavailable(_("Không kết nối được dịch vụ bưu chính; chưa gửi được, hãy thử lại sau.")),
            log=logger,
            call=f"Carrier {method} {path}",
            timeout=self.timeout,
        ):
            response = httpx.request(method, self.base_url + path, json=body, headers=headers, timeout=self.timeout)
        try:
            answer = response.json() if response.content else None
        except ValueError:
            answer = None
        if response.is_success and answer is not None:
            return answer
        reason = wire.error_message(answer)
        if response.status_code >= 500 or response.status_code in (401, 403, 408, 429) or answer is None:
            raise CarrierUnavailable(
                _("Dịch vụ bưu chính đang lỗi (mã %(status)s); chưa gửi được, hãy thử lại sau. %(reason)s")
                % {"status": response.status_code, "reason": reason}
            )
        raise CarrierRefused(
            _("Dịch vụ bưu chính từ chối (mã %(status)s): %(reason)s")
            % {"status": response.status_code, "reason": reason}
        )

    def quote(self, *, to_address: str) -> int | None:
        try:
            return wire.parse_quote(self._call("POST", wire.PATH_QUOTE, wire.quote_request(to_address=to_address)))
        except ValueError:
            raise CarrierUnavailable(_("Dịch vụ bưu chính trả về cước phí không đọc được.")) from None

    def create(
        self, *, client_order_code: str, sender: dict[str, str], recipient: dict[str, str], content: str
    ) -> wire.CreatedOrder:
        request = wire.order_request(
            client_order_code=client_order_code,
            sender=sender,
            recipient=recipient,
            content=content,
            callback_url=settings.MOTCUA_PUBLIC_URL.rstrip("/") + reverse("carrier:webhook"),
        )
        try:
            return wire.parse_created(self._call("POST", wire.PATH_ORDERS, request))
        except ValueError:
            raise CarrierUnavailable(_("Dịch vụ bưu chính trả về đơn hàng không đọc được.")) from None

    def track(self, *, order_code: str) -> list[wire.TrackingEvent]:
        try:
            return wire.parse_order(self._call("GET", wire.order_path(order_code)))
        except ValueError:
            raise CarrierUnavailable(_("Dịch vụ bưu chính trả về hành trình không đọc được.")) from None

    def webhook_verify(self, *, body: bytes, signature: str) -> wire.TrackingEvent:
        if not wire.signature_valid(body, self.secret, signature):
            raise WebhookRejected(CarrierNoticeVerdict.BAD_SIGNATURE, "signature does not match")
        try:
            return wire.parse_event(json.loads(body))
        except ValueError as error:
            raise WebhookRejected(CarrierNoticeVerdict.MALFORMED, str(error)[:300]) from None


@carriers.register("manual")
def _manual_carrier() -> Carrier:
    return ManualCarrier()


@carriers.register("http")
def _http_carrier() -> Carrier:
    return HttpCarrier.from_settings()
