"""The payment platform of the National Public Service Portal (Nền tảng thanh toán trực tuyến).

PROVISIONAL: its specification is not public. This module alone holds the wire format we
assume, so the real one replaces this file and nothing else (docs/payments.md#national):

- every request carries X-Merchant and X-Signature = hex HMAC-SHA256(secret, raw body or path);
- POST {base}/v1/orders {merchant, order_ref, amount, currency, description, return_url,
  expires_at} → {"payment_url": …};
- the browser's return and the notification (a form POST to our IPN address) carry merchant,
  order_ref, amount, currency, status (paid|failed), transaction_id, paid_at (ISO 8601) and
  signature = HMAC-SHA256 over "key=value" of the other fields sorted and joined with "&";
  we answer {"code": "00"|"01"|"02"|"04"|"97"|"99"};
- GET {base}/v1/orders/{order_ref} → the same fields, 404 when unknown;
- POST {base}/v1/refunds {merchant, order_ref, transaction_id, amount, reason} →
  {"status": "accepted"|"refused", "refund_id", "message"};
- GET {base}/v1/reports/{yyyy-mm-dd} → {"transactions": [the notice fields …]}.
"""

import datetime
import hashlib
import hmac
import json
from typing import Any

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

from motcua.payments.constants import NoticeVerdict
from motcua.payments.gateways import (
    GatewayError,
    GatewayNotice,
    NoticeRejected,
    RefundOutcome,
    ReportedTransaction,
    gateway_json_object,
    gateways,
)
from motcua.payments.models import Payment

NOTICE_FIELDS = ("merchant", "order_ref", "amount", "currency", "status", "transaction_id", "paid_at")


def national_hmac(secret: str, data: str | bytes) -> str:
    return hmac.new(secret.encode(), data if isinstance(data, bytes) else data.encode(), hashlib.sha256).hexdigest()


def national_notice_sign(fields: dict[str, str], secret: str) -> dict[str, str]:
    signed = {key: str(fields[key]) for key in NOTICE_FIELDS}
    signed["signature"] = national_hmac(secret, "&".join(f"{key}={signed[key]}" for key in sorted(signed)))
    return signed


def _paid_at(text: str) -> datetime.datetime | None:
    try:
        return datetime.datetime.fromisoformat(text)
    except ValueError:
        return None


class NationalPaymentGateway:
    key = "national"
    label = _("Nền tảng thanh toán của Cổng Dịch vụ công quốc gia")

    def __init__(self, *, base_url: str, merchant: str, secret: str, timeout: float):
        self.base_url = base_url.rstrip("/")
        self.merchant = merchant
        self.secret = secret
        self.timeout = timeout

    def _request(self, method: str, path: str, payload: dict[str, Any] | None = None) -> httpx.Response:
        body = json.dumps(payload).encode() if payload is not None else path.encode()
        headers = {"X-Merchant": self.merchant, "X-Signature": national_hmac(self.secret, body)}
        try:
            return httpx.request(
                method,
                self.base_url + path,
                content=body if payload is not None else None,
                headers={**headers, "Content-Type": "application/json"},
                timeout=self.timeout,
            )
        except httpx.HTTPError as error:
            raise GatewayError(f"National payment platform unreachable: {error.__class__.__name__}") from None

    def _json(self, response: httpx.Response) -> dict[str, Any]:
        return gateway_json_object(response, who="National payment platform")

    def checkout_url(self, payment: Payment, *, return_url: str) -> str:
        order = {
            "merchant": self.merchant,
            "order_ref": payment.reference,
            "amount": payment.amount,
            "currency": "VND",
            "description": f"Phí, lệ phí hồ sơ {payment.dossier.code}",
            "return_url": return_url,
            "expires_at": payment.expires_at.isoformat() if payment.expires_at else None,
        }
        url = self._json(self._request("POST", "/v1/orders", order)).get("payment_url")
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            raise GatewayError("National payment platform gave no payment address")
        return url

    def notice_verify(self, params: dict[str, str]) -> GatewayNotice:
        try:
            expected = national_notice_sign(params, self.secret)["signature"]
        except KeyError:
            raise NoticeRejected(NoticeVerdict.BAD_SIGNATURE, "97") from None
        if not hmac.compare_digest(params.get("signature", ""), expected):
            raise NoticeRejected(NoticeVerdict.BAD_SIGNATURE, "97")
        if (
            params["merchant"] != self.merchant
            or params["currency"] != "VND"
            or not (params["amount"].isascii() and params["amount"].isdigit())
        ):
            raise NoticeRejected(NoticeVerdict.BAD_AMOUNT, "04")
        return GatewayNotice(
            reference=params["order_ref"],
            amount=int(params["amount"]),
            succeeded=params["status"] == "paid",
            transaction_no=params["transaction_id"],
            response_code=params["status"],
            paid_at=_paid_at(params["paid_at"]),
            params=dict(params),
        )

    def notice_answer(self, *, verdict: str, answer: str) -> tuple[str, str]:
        return json.dumps({"code": answer}), "application/json"

    def query(self, payment: Payment) -> GatewayNotice | None:
        response = self._request("GET", f"/v1/orders/{payment.reference}")
        if response.status_code == 404:
            return None
        data = self._json(response)
        try:
            return self.notice_verify({key: str(value) for key, value in data.items()})
        except NoticeRejected:
            raise GatewayError("National payment platform answer has a bad signature") from None

    def refund(self, payment: Payment, *, amount: int, reason: str, actor_name: str) -> RefundOutcome:
        payload = {
            "merchant": self.merchant,
            "order_ref": payment.reference,
            "transaction_id": payment.transaction_no,
            "amount": amount,
            "reason": reason[:500],
        }
        data = self._json(self._request("POST", "/v1/refunds", payload))
        return RefundOutcome(
            succeeded=data.get("status") == "accepted",
            gateway_reference=str(data.get("refund_id", "")),
            message=str(data.get("message", "")),
        )

    def transactions(self, day: datetime.date) -> list[ReportedTransaction]:
        data = self._json(self._request("GET", f"/v1/reports/{day:%Y-%m-%d}"))
        lines = []
        for item in data.get("transactions", []):
            try:
                lines.append(
                    ReportedTransaction(
                        reference=str(item["order_ref"]),
                        amount=int(item["amount"]),
                        succeeded=item["status"] == "paid",
                        transaction_no=str(item.get("transaction_id", "")),
                        paid_at=_paid_at(str(item.get("paid_at", ""))),
                    )
                )
            except (KeyError, TypeError, ValueError):
                raise GatewayError("National payment platform report line unreadable") from None
        return lines


@gateways.register("national")
def _national_gateway() -> NationalPaymentGateway:
    return NationalPaymentGateway(
        base_url=settings.MOTCUA_NATIONAL_PAY_URL,
        merchant=settings.MOTCUA_NATIONAL_PAY_MERCHANT,
        secret=settings.MOTCUA_NATIONAL_PAY_SECRET,
        timeout=float(settings.MOTCUA_HTTP_TIMEOUT_SECONDS),
    )
