"""A local stand-in for VNPay speaking the protocol of motcua.payments.vnpay: the payment page
(with "Thanh toán" and "Hủy" buttons), the browser's return, the IPN sent server to server, the
querydr and refund calls and the daily report. It fails the ways a gateway fails: down (503),
500, slow; and its IPN can be delayed, sent twice, never sent or tampered with.

Tests run it on a random port of 127.0.0.1; it also runs on its own for manual trials:

    python -m motcua.payments.vnpay_simulator --port 8766 --ipn-url http://127.0.0.1:8000/thanh-toan/ipn/vnpay/
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import html
import json
import secrets
import threading
import urllib.request
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Literal, cast
from urllib.parse import parse_qsl, urlsplit

from motcua.core.loopback import LoopbackHandler, LoopbackService
from motcua.payments.vnpay_wire import (
    DUPLICATE_REQUEST,
    NOT_FOUND,
    QUERY_ANSWER_FIELDS,
    QUERY_FIELDS,
    REFUND_ANSWER_FIELDS,
    REFUND_FIELDS,
    SUCCESS,
    VIETNAM,
    report_render,
    report_signature,
    vnp_date,
    vnp_pipe_hash,
    vnp_sign_query,
    vnp_signature_ok,
)

PAY_PATH = "/paymentv2/vpcpay.html"
API_PATH = "/merchant_webapi/api/transaction"
REPORT_PATH = "/merchant_webapi/report"

# ok: normal; down: 503 to everything; error: 500 to everything; slow: answers after `delay`.
Mode = Literal["ok", "down", "error", "slow"]
# How the IPN goes out after a payment: now, after `ipn_delay` seconds, twice, never, or with
# the amount changed after signing.
IpnMode = Literal["now", "delayed", "twice", "never", "tampered"]


@dataclass
class Order:
    reference: str
    amount: int  # đồng × 100, as VNPay counts
    return_url: str
    order_info: str
    created: str
    status: str = "pending"  # pending, paid, cancelled
    transaction_no: str = ""
    pay_date: str = ""
    bank_code: str = "NCB"
    refunded: list[str] = field(default_factory=list)  # the refund requests' ids


class VNPaySimulator(LoopbackService):
    name = "VNPay simulator"

    def __init__(
        self,
        *,
        tmn_code: str = "MOTCUA01",
        hash_secret: str = "simulator-secret",  # noqa: S107 - a local test double, not a credential
        port: int = 0,
        ipn_url: str = "",
    ):
        super().__init__(token=hash_secret, host="127.0.0.1", port=port)
        self.tmn_code = tmn_code
        self.hash_secret = hash_secret
        self.ipn_url = ipn_url
        self.orders: dict[str, Order] = {}
        self.mode: Mode = "ok"
        self.delay = 0.0
        self.ipn_mode: IpnMode = "now"
        self.ipn_delay = 1.0
        # Every IPN query string made (sent or not) and the merchant's answers to those sent.
        self.ipn_outbox: list[str] = []
        self.ipn_answers: list[dict] = []
        self._stopping = threading.Event()

    @property
    def pay_url(self) -> str:
        return self.url + PAY_PATH

    @property
    def api_url(self) -> str:
        return self.url + API_PATH

    @property
    def report_url(self) -> str:
        return self.url + REPORT_PATH

    def fail(self, mode: Mode, *, delay: float = 5.0) -> None:
        self.mode = mode
        self.delay = delay

    def recover(self) -> None:
        self.mode = "ok"

    def _wake_waiting_handlers(self) -> None:
        self._stopping.set()

    def start(self) -> VNPaySimulator:
        self._stopping.clear()
        return cast(VNPaySimulator, super().start())

    # --- the payment page ---

    def order_open(self, query: dict[str, str]) -> Order | str:
        """The order of a payment URL, or why VNPay refuses it."""
        if not vnp_signature_ok(query, self.hash_secret):
            return "Sai chữ ký (97)"
        if query.get("vnp_TmnCode") != self.tmn_code or query.get("vnp_Version") != "2.1.0":
            return "Mã website hoặc phiên bản không hợp lệ"
        if query.get("vnp_Command") != "pay" or query.get("vnp_CurrCode") != "VND":
            return "Lệnh hoặc loại tiền không hợp lệ"
        reference = query.get("vnp_TxnRef", "")
        amount = query.get("vnp_Amount", "")
        if not reference or not (amount.isascii() and amount.isdigit()) or int(amount) % 100:
            return "Số tiền hoặc mã giao dịch không hợp lệ"
        expires = datetime.datetime.strptime(query["vnp_ExpireDate"], "%Y%m%d%H%M%S").replace(tzinfo=VIETNAM)
        if expires < datetime.datetime.now(VIETNAM):
            return "Giao dịch đã quá thời gian chờ thanh toán (11)"
        order = self.orders.get(reference)
        if order is not None and order.status != "pending":
            return "Giao dịch đã được xử lý"
        order = Order(
            reference=reference,
            amount=int(amount),
            return_url=query["vnp_ReturnUrl"],
            order_info=query.get("vnp_OrderInfo", ""),
            created=query["vnp_CreateDate"],
        )
        self.orders[reference] = order
        return order

    def order_finish(self, reference: str, *, pay: bool) -> str:
        """The citizen pressed "Thanh toán" or "Hủy": record it, send the IPN as told and give
        the return URL the browser is sent to."""
        order = self.orders[reference]
        code = SUCCESS if pay else "24"  # 24: the customer cancelled
        if order.status == "pending":
            order.status = "paid" if pay else "cancelled"
            order.transaction_no = str(14000000 + len(self.orders) * 10 + secrets.randbelow(10))
            order.pay_date = vnp_date(datetime.datetime.now(VIETNAM))
        params = {
            "vnp_TmnCode": self.tmn_code,
            "vnp_Amount": str(order.amount),
            "vnp_BankCode": order.bank_code,
            "vnp_BankTranNo": "VNP" + order.transaction_no,
            "vnp_CardType": "ATM",
            "vnp_OrderInfo": order.order_info,
            "vnp_PayDate": order.pay_date,
            "vnp_ResponseCode": code,
            "vnp_TransactionNo": order.transaction_no,
            "vnp_TransactionStatus": code if pay else "02",
            "vnp_TxnRef": order.reference,
        }
        signed = vnp_sign_query(params, self.hash_secret)
        self._ipn_send(signed, order)
        return f"{order.return_url}{'&' if '?' in order.return_url else '?'}{signed}"

    def _ipn_send(self, signed: str, order: Order) -> None:
        if self.ipn_mode == "tampered":
            signed = signed.replace(f"vnp_Amount={order.amount}", f"vnp_Amount={order.amount // 10}", 1)
        self.ipn_outbox.append(signed)
        if self.ipn_mode == "never" or not self.ipn_url:
            return
        times = 2 if self.ipn_mode == "twice" else 1
        delay = self.ipn_delay if self.ipn_mode == "delayed" else 0.0

        def send() -> None:
            if delay and self._stopping.wait(delay):
                return
            for _ in range(times):
                self.ipn_answers.append(self.ipn_deliver(signed))

        threading.Thread(target=send, name="vnpay-ipn", daemon=True).start()

    def ipn_deliver(self, signed: str) -> dict:
        """GET the merchant's IPN URL with a signed result, as VNPay does; its JSON answer."""
        try:
            with urllib.request.urlopen(f"{self.ipn_url}?{signed}", timeout=10) as response:  # noqa: S310
                return cast(dict, json.loads(response.read()))
        except (OSError, ValueError) as error:
            return {"error": str(error)}

    # --- the merchant API ---

    def api_answer(self, request: dict) -> dict:
        command = request.get("vnp_Command")
        fields = QUERY_FIELDS if command == "querydr" else REFUND_FIELDS
        answer_fields = QUERY_ANSWER_FIELDS if command == "querydr" else REFUND_ANSWER_FIELDS
        answer: dict[str, str] = {
            "vnp_ResponseId": secrets.token_hex(16),
            "vnp_Command": str(command),
            "vnp_TmnCode": self.tmn_code,
            "vnp_TxnRef": str(request.get("vnp_TxnRef", "")),
        }
        order = self.orders.get(answer["vnp_TxnRef"])
        if command not in ("querydr", "refund"):
            answer |= {"vnp_ResponseCode": "99", "vnp_Message": "Unknown command"}
        elif str(request.get("vnp_SecureHash", "")) != vnp_pipe_hash(request, fields, self.hash_secret):
            answer |= {"vnp_ResponseCode": "97", "vnp_Message": "Invalid Checksum"}
        elif order is None:
            answer |= {"vnp_ResponseCode": NOT_FOUND, "vnp_Message": "Transaction not found"}
        elif command == "querydr":
            status = {"paid": SUCCESS, "pending": "01", "cancelled": "02"}[order.status]
            answer |= self._order_fields(order) | {
                "vnp_ResponseCode": SUCCESS,
                "vnp_Message": "QueryDR Success",
                "vnp_TransactionStatus": status,
                "vnp_TransactionType": "01",
                "vnp_PromotionCode": "",
                "vnp_PromotionAmount": "",
            }
        elif order.status != "paid" or int(str(request.get("vnp_Amount", "0"))) > order.amount:
            answer |= {"vnp_ResponseCode": "02", "vnp_Message": "Invalid request"}
        elif order.refunded:
            answer |= {"vnp_ResponseCode": DUPLICATE_REQUEST, "vnp_Message": "Request is duplicated"}
        else:
            order.refunded.append(str(request.get("vnp_RequestId", "")))
            answer |= self._order_fields(order) | {
                "vnp_ResponseCode": SUCCESS,
                "vnp_Message": "Refund success",
                "vnp_Amount": str(request.get("vnp_Amount", "")),
                "vnp_TransactionStatus": "05",
                "vnp_TransactionType": str(request.get("vnp_TransactionType", "")),
            }
        answer["vnp_SecureHash"] = vnp_pipe_hash(answer, answer_fields, self.hash_secret)
        return answer

    @staticmethod
    def _order_fields(order: Order) -> dict[str, str]:
        return {
            "vnp_Amount": str(order.amount),
            "vnp_BankCode": order.bank_code,
            "vnp_PayDate": order.pay_date,
            "vnp_TransactionNo": order.transaction_no,
            "vnp_OrderInfo": order.order_info,
        }

    def report(self, day: str) -> str:
        rows = [
            {
                "TxnRef": order.reference,
                "TransactionNo": order.transaction_no,
                "Amount": str(order.amount),
                "PayDate": order.pay_date,
                "ResponseCode": SUCCESS if order.status == "paid" else "24",
                "TransactionStatus": SUCCESS if order.status == "paid" else "02",
                "BankCode": order.bank_code,
            }
            for order in self.orders.values()
            if order.pay_date.startswith(day)
        ]
        return report_render(rows)


_PAGE = """<!doctype html><html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>VNPay (mô phỏng)</title></head>
<body><h1>Cổng thanh toán VNPay (mô phỏng)</h1>{body}</body></html>"""


class _Handler(LoopbackHandler):
    protocol_version = "HTTP/1.1"

    @property
    def simulator(self) -> VNPaySimulator:
        return cast(VNPaySimulator, self.loopback)

    def _failing(self) -> bool:
        simulator = self.simulator
        simulator._count_request()
        if simulator.mode == "down":
            self._reply(HTTPStatus.SERVICE_UNAVAILABLE, {"error": "unavailable"})
            return True
        if simulator.mode == "error":
            self._send(HTTPStatus.INTERNAL_SERVER_ERROR, b"<html>500</html>", "text/html")
            return True
        if simulator.mode == "slow":
            simulator._stopping.wait(simulator.delay)
        return False

    def _page(self, status: int, body: str) -> None:
        self._send(status, _PAGE.format(body=body).encode(), "text/html; charset=utf-8")

    def do_GET(self) -> None:
        if self._failing():
            return
        url = urlsplit(self.path)
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        if url.path == PAY_PATH:
            order = self.simulator.order_open(query)
            if isinstance(order, str):
                self._page(HTTPStatus.BAD_REQUEST, f"<p>{html.escape(order)}</p>")
                return
            amount = f"{order.amount // 100:,}".replace(",", ".")
            self._page(
                HTTPStatus.OK,
                f"<p>Mã giao dịch: <strong>{html.escape(order.reference)}</strong></p>"
                f"<p>Số tiền: <strong>{amount} VND</strong></p>"
                f"<p>{html.escape(order.order_info)}</p>"
                f'<form method="post" action="{PAY_PATH}"><input type="hidden" name="ref" '
                f'value="{html.escape(order.reference)}">'
                '<button name="action" value="pay">Thanh toán</button> '
                '<button name="action" value="cancel">Hủy</button></form>',
            )
        elif url.path == REPORT_PATH:
            simulator = self.simulator
            day = datetime.datetime.strptime(query.get("vnp_ReportDate", "19700101"), "%Y%m%d").date()
            if query.get("vnp_SecureHash") != report_signature(simulator.tmn_code, day, simulator.hash_secret):
                self._reply(HTTPStatus.FORBIDDEN, {"error": "invalid checksum"})
                return
            self._send(HTTPStatus.OK, simulator.report(f"{day:%Y%m%d}").encode(), "text/csv; charset=utf-8")
        else:
            self._reply(HTTPStatus.NOT_FOUND, {"error": "not_found"})

    def do_POST(self) -> None:
        if self._failing():
            return
        body = self._body() or b""
        path = urlsplit(self.path).path
        if path == PAY_PATH:
            form = dict(parse_qsl(body.decode()))
            if form.get("ref") not in self.simulator.orders:
                self._page(HTTPStatus.NOT_FOUND, "<p>Không tìm thấy giao dịch</p>")
                return
            target = self.simulator.order_finish(form["ref"], pay=form.get("action") == "pay")
            self._send(HTTPStatus.FOUND, b"", "text/html", {"Location": target})
        elif path == API_PATH:
            try:
                request = json.loads(body)
            except ValueError:
                self._reply(HTTPStatus.BAD_REQUEST, {"error": "invalid json"})
                return
            self._reply(HTTPStatus.OK, self.simulator.api_answer(request if isinstance(request, dict) else {}))
        else:
            self._reply(HTTPStatus.NOT_FOUND, {"error": "not_found"})


VNPaySimulator.handler = _Handler


def main() -> None:  # pragma: no cover - manual use
    parser = argparse.ArgumentParser(description="A local VNPay stand-in (payment page, IPN, querydr, refund).")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--tmn-code", default="MOTCUA01")
    parser.add_argument("--hash-secret", default="simulator-secret")
    parser.add_argument("--ipn-url", default="", help="the merchant's IPN address, e.g. …/thanh-toan/ipn/vnpay/")
    args = parser.parse_args()
    simulator = VNPaySimulator(
        tmn_code=args.tmn_code, hash_secret=args.hash_secret, port=args.port, ipn_url=args.ipn_url
    )
    with simulator:
        print(f"VNPay simulator on {simulator.pay_url}; API {simulator.api_url}; report {simulator.report_url}")
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":  # pragma: no cover
    main()
