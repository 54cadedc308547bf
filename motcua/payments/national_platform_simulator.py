"""A small stand-in for the national payment platform, speaking the PROVISIONAL wire format of
national_platform.py (its real specification is not public). For tests: orders, the payment
page, the signed notification, the order query, refunds and the daily report; `down` answers
503 to everything. It signs with national_platform's own functions, so it needs Django settings."""

from __future__ import annotations

import datetime
import hmac
import json
import secrets
from http import HTTPStatus
from typing import cast
from urllib.parse import parse_qsl, urlencode, urlsplit

from motcua.core.loopback import LoopbackHandler, LoopbackService
from motcua.payments.national_platform import national_hmac, national_notice_sign


class NationalPaySimulator(LoopbackService):
    name = "national payment platform simulator"

    def __init__(self, *, merchant: str = "H15-MOTCUA", secret: str = "national-secret", port: int = 0):  # noqa: S107
        super().__init__(token=secret, host="127.0.0.1", port=port)
        self.merchant = merchant
        self.secret = secret
        self.down = False
        self.orders: dict[str, dict] = {}
        self.notices: list[dict[str, str]] = []  # every signed notification made
        self.refunds: list[dict] = []

    def signed_notice(self, reference: str) -> dict[str, str]:
        order = self.orders[reference]
        return national_notice_sign(
            {
                "merchant": self.merchant,
                "order_ref": reference,
                "amount": str(order["amount"]),
                "currency": "VND",
                "status": order["status"],
                "transaction_id": order["transaction_id"],
                "paid_at": order["paid_at"],
            },
            self.secret,
        )


class _Handler(LoopbackHandler):
    protocol_version = "HTTP/1.1"

    @property
    def simulator(self) -> NationalPaySimulator:
        return cast(NationalPaySimulator, self.loopback)

    def _refused(self, body: bytes) -> bool:
        simulator = self.simulator
        simulator._count_request()
        if simulator.down:
            self._reply(HTTPStatus.SERVICE_UNAVAILABLE, {"error": "unavailable"})
            return True
        if urlsplit(self.path).path.startswith("/pay/"):
            return False  # the citizen's browser: no merchant signature
        signed = body if body else urlsplit(self.path).path.encode()
        if not hmac.compare_digest(self.headers.get("X-Signature", ""), national_hmac(simulator.secret, signed)):
            self._reply(HTTPStatus.FORBIDDEN, {"error": "bad signature"})
            return True
        return False

    def do_GET(self) -> None:
        if self._refused(b""):
            return
        path = urlsplit(self.path).path
        simulator = self.simulator
        if path.startswith("/v1/orders/"):
            reference = path.removeprefix("/v1/orders/")
            if reference not in simulator.orders:
                self._reply(HTTPStatus.NOT_FOUND, {"error": "not found"})
            else:
                self._reply(HTTPStatus.OK, simulator.signed_notice(reference))
        elif path.startswith("/v1/reports/"):
            day = path.removeprefix("/v1/reports/")
            lines = [simulator.signed_notice(ref) for ref, o in simulator.orders.items() if o["paid_at"][:10] == day]
            self._reply(HTTPStatus.OK, {"transactions": lines})
        elif path.startswith("/pay/"):
            order = simulator.orders.get(path.removeprefix("/pay/"))
            page = (
                "<p>Không tìm thấy giao dịch</p>"
                if order is None
                else (
                    f"<p>Số tiền: {order['amount']} VND</p><form method='post'>"
                    "<button name='action' value='pay'>Thanh toán</button>"
                    "<button name='action' value='cancel'>Hủy</button></form>"
                )
            )
            self._send(
                HTTPStatus.OK, f"<!doctype html><html lang='vi'><body>{page}</body></html>".encode(), "text/html"
            )
        else:
            self._reply(HTTPStatus.NOT_FOUND, {"error": "not found"})

    def do_POST(self) -> None:
        body = self._body() or b""
        if self._refused(body):
            return
        path = urlsplit(self.path).path
        simulator = self.simulator
        if path == "/v1/orders":
            order = json.loads(body)
            reference = order["order_ref"]
            simulator.orders[reference] = {
                "amount": order["amount"],
                "return_url": order["return_url"],
                "status": "pending",
                "transaction_id": "",
                "paid_at": "",
            }
            self._reply(HTTPStatus.OK, {"payment_url": f"{simulator.url}/pay/{reference}"})
        elif path.startswith("/pay/"):
            reference = path.removeprefix("/pay/")
            order = simulator.orders[reference]
            pay = dict(parse_qsl(body.decode())).get("action") == "pay"
            order["status"] = "paid" if pay else "failed"
            order["transaction_id"] = "QG" + secrets.token_hex(5).upper()
            order["paid_at"] = datetime.datetime.now(datetime.UTC).isoformat()
            notice = simulator.signed_notice(reference)
            simulator.notices.append(notice)
            self._send(HTTPStatus.FOUND, b"", "text/html", {"Location": f"{order['return_url']}?{urlencode(notice)}"})
        elif path == "/v1/refunds":
            request = json.loads(body)
            order = simulator.orders.get(request.get("order_ref"), {})
            already = any(r["order_ref"] == request.get("order_ref") for r in simulator.refunds)
            if order.get("status") != "paid" or already:
                self._reply(HTTPStatus.OK, {"status": "refused", "message": "not refundable"})
                return
            simulator.refunds.append(request)
            self._reply(HTTPStatus.OK, {"status": "accepted", "refund_id": "HT" + secrets.token_hex(5).upper()})
        else:
            self._reply(HTTPStatus.NOT_FOUND, {"error": "not found"})


NationalPaySimulator.handler = _Handler
