"""The one adapter to other agencies' systems: a signed call to a service of the exchange platform.

`exchange_transports.get().call(service, body)` returns the service's JSON answer or raises
`ExchangeError` with a Vietnamese message and a code. Two plugins (MOTCUA_PLUGINS["exchange"]):

* "lgsp": POST {MOTCUA_EXCHANGE_URL}/{service code} over HTTP with the signed headers of
  protocol.py; the answer is used only when its signature, freshness and nonce check out;
* "demo" (the default): answered in-process by the demo desk, for demonstrations.

Nothing here writes the exchange log: services.exchange_logged does, around every call, so the
log holds the same lines whichever plugin is in use.
"""

from __future__ import annotations

import functools
import json
import logging
from typing import Any, Protocol

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

from motcua.core.errors import ApplicationError
from motcua.core.outbound import unanswered_raises
from motcua.core.plugins import Registry
from motcua.exchange import protocol
from motcua.exchange.desk import ExchangeDesk

logger = logging.getLogger(__name__)


class ExchangeError(ApplicationError):
    """The exchange did not give a usable answer: down, slow, refusing, unsigned or garbled."""

    code = "exchange_failed"


class ExchangeTransport(Protocol):
    def call(self, service: str, body: dict[str, Any]) -> dict[str, Any]:
        """The service's answer to `body` (a 200 JSON object); raises ExchangeError."""
        ...


exchange_transports = Registry[ExchangeTransport]("exchange")


class LgspTransport:
    """Signed HTTP+JSON to the platform; see docs/data-exchange.md for the wire format."""

    def __init__(self, *, base_url: str, system_id: str, platform_id: str, secret: str, timeout: float):
        self.base_url = base_url.rstrip("/")
        self.system_id = system_id
        self.platform_id = platform_id
        self.secret = secret
        self.timeout = timeout

    @classmethod
    def from_settings(cls) -> LgspTransport:
        return cls(
            base_url=settings.MOTCUA_EXCHANGE_URL,
            system_id=settings.MOTCUA_EXCHANGE_SYSTEM_ID,
            platform_id=settings.MOTCUA_EXCHANGE_PLATFORM_ID,
            secret=settings.MOTCUA_EXCHANGE_SECRET,
            timeout=float(settings.MOTCUA_HTTP_TIMEOUT_SECONDS),
        )

    def call(self, service: str, body: dict[str, Any]) -> dict[str, Any]:
        if not (self.base_url and self.secret):
            logger.error("Exchange: MOTCUA_EXCHANGE_URL or MOTCUA_EXCHANGE_SECRET is not set")
            raise ExchangeError(
                _("Chưa cấu hình kết nối nền tảng trao đổi dữ liệu (LGSP)."), code="exchange_unconfigured"
            )
        data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        path = f"/{service}"
        headers = protocol.signed_request_headers(
            secret=self.secret, path=path, system=self.system_id, service=service, body=data
        )
        with unanswered_raises(
            timed_out=ExchangeError(
                _("Hệ thống của cơ quan liên thông không phản hồi kịp thời; vui lòng thử lại sau."),
                code="exchange_timeout",
            ),
            unreachable=ExchangeError(
                _("Không kết nối được nền tảng trao đổi dữ liệu; vui lòng thử lại sau."), code="exchange_unreachable"
            ),
            log=logger,
            call=f"Exchange {service}",
            timeout=self.timeout,
        ):
            response = httpx.post(f"{self.base_url}{path}", content=data, headers=headers, timeout=self.timeout)
        authentic = protocol.response_is_authentic(
            secret=self.secret,
            status=response.status_code,
            platform=self.platform_id,
            service=service,
            request_nonce=headers[protocol.NONCE],
            headers=response.headers,
            body=response.content,
        )
        if not authentic:
            # Whatever it says, it may not come from the platform: not even its status is trusted.
            logger.warning("Exchange %s: unsigned or badly signed answer (HTTP %s)", service, response.status_code)
            raise ExchangeError(
                _("Câu trả lời không có chữ ký hợp lệ của nền tảng trao đổi dữ liệu nên không được sử dụng."),
                code="exchange_unsigned",
            )
        status = response.status_code
        if status in (httpx.codes.UNAUTHORIZED, httpx.codes.FORBIDDEN):
            logger.error("Exchange %s: the platform refused our request (HTTP %s)", service, status)
            raise ExchangeError(_("Nền tảng trao đổi dữ liệu từ chối yêu cầu."), code="exchange_refused")
        if status != httpx.codes.OK:
            logger.warning("Exchange %s: HTTP %s", service, status)
            raise ExchangeError(
                _("Hệ thống của cơ quan liên thông đang gặp sự cố (mã %(status)s); vui lòng thử lại sau.")
                % {"status": status},
                code="exchange_http_error",
            )
        return _json_object(response.content, service=service)


def _json_object(content: bytes, *, service: str) -> dict[str, Any]:
    try:
        answer = json.loads(content)
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        # The body may be personal data: say that it was unusable, never what it said.
        logger.warning("Exchange %s: the answer is not a JSON object", service)
        raise invalid_answer()
    return answer


def invalid_answer() -> ExchangeError:
    return ExchangeError(
        _("Hệ thống của cơ quan liên thông trả về dữ liệu không hợp lệ."), code="exchange_invalid_answer"
    )


@functools.cache
def demo_desk() -> ExchangeDesk:
    """The demo plugin's desk, one per process (its accepted pushes live in memory)."""
    return ExchangeDesk()


class DemoTransport:
    """Answers from the demo desk without a network; never down."""

    def call(self, service: str, body: dict[str, Any]) -> dict[str, Any]:
        status, answer = demo_desk().answer(service, json.loads(json.dumps(body, default=str)))
        if status != 200:
            raise ExchangeError(_("Nền tảng trao đổi dữ liệu từ chối yêu cầu."), code="exchange_refused")
        return answer


@exchange_transports.register("demo")
def _demo_transport() -> ExchangeTransport:
    return DemoTransport()


@exchange_transports.register("lgsp")
def _lgsp_transport() -> ExchangeTransport:
    return LgspTransport.from_settings()
