"""Payment gateways as plugins (MOTCUA_PLUGINS["payments"]): "demo" for the embedded profile,
"vnpay" for VNPay's public protocol, "national" for the National Public Service Portal's
payment platform. Each speaks its own wire format; the rest of the app sees only this interface.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from motcua.core.plugins import Registry
from motcua.payments.models import Payment


class GatewayError(Exception):
    """The gateway could not be reached or answered nonsense; the caller retries later."""


def gateway_json_object(response: httpx.Response, *, who: str) -> dict[str, Any]:
    """A gateway's 200 answer as a JSON object; GatewayError for anything else."""
    if response.status_code != 200:
        raise GatewayError(f"{who} answered HTTP {response.status_code}")
    try:
        data = response.json()
    except ValueError:
        raise GatewayError(f"{who} answered something that is not JSON") from None
    if not isinstance(data, dict):
        raise GatewayError(f"{who} answered JSON that is not an object")
    return data


class NoticeRejected(Exception):
    """A notification that must not change anything (bad signature, unknown order, wrong
    amount…); `verdict` is a `NoticeVerdict`, `answer` the code the gateway expects back."""

    def __init__(self, verdict: str, answer: str, message: str = ""):
        super().__init__(message or verdict)
        self.verdict = verdict
        self.answer = answer


@dataclass(frozen=True)
class GatewayNotice:
    """A verified statement by the gateway about one order."""

    reference: str
    amount: int  # đồng
    succeeded: bool
    transaction_no: str = ""
    bank_code: str = ""
    response_code: str = ""
    paid_at: datetime.datetime | None = None
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RefundOutcome:
    succeeded: bool
    gateway_reference: str = ""
    message: str = ""


@dataclass(frozen=True)
class ReportedTransaction:
    """One line of the gateway's daily transaction report, for reconciliation."""

    reference: str
    amount: int
    succeeded: bool
    transaction_no: str = ""
    paid_at: datetime.datetime | None = None


class Gateway(Protocol):
    key: str
    # The Vietnamese name shown to the citizen ("VNPay", "Cổng Dịch vụ công quốc gia", …).
    label: str

    def checkout_url(self, payment: Payment, *, return_url: str) -> str:
        """Where the browser goes to pay."""

    def notice_verify(self, params: dict[str, str]) -> GatewayNotice:
        """Check a notification's signature and merchant; raises NoticeRejected."""

    def notice_answer(self, *, verdict: str, answer: str) -> tuple[str, str]:
        """The body and content type the gateway expects in reply to a notification."""

    def query(self, payment: Payment) -> GatewayNotice | None:
        """Ask the gateway what became of an order (None: it never heard of it)."""

    def refund(self, payment: Payment, *, amount: int, reason: str, actor_name: str) -> RefundOutcome:
        """Give back `amount` of a paid order."""

    def transactions(self, day: datetime.date) -> list[ReportedTransaction]:
        """The gateway's report of the orders of `day` (Vietnam time)."""


gateways: Registry[Gateway] = Registry("payments")
