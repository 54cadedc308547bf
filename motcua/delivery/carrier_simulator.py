"""A local stand-in for a postal carrier, speaking the protocol of carrier_wire.py.

It quotes, creates orders (idempotent on our order code), answers tracking queries, and can be
told to move an order on (`advance`, or POST /mo-phong/don-hang/<order_code>/chuyen with
{"to": status}): in transit, delivered with a proof (the recipient's name, the time and a
small PNG signature), a failed attempt, returned to the sender, or lost. Each step is a
tracking event pushed, signed, to the callback URL the order was created with (unless told
not to: tests post the returned webhook themselves). Failure modes (FaultyService.fail):
"down" (503), "error" (500), "slow" (no answer in time).

    python -m motcua.delivery.carrier_simulator --port 8769 --token T --secret S
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import datetime
import hmac
import json
import math
import struct
import threading
import urllib.request
import zlib
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, cast

from motcua.core.loopback import FaultyService, JsonApiHandler
from motcua.delivery import carrier_wire as wire

PATH_CONTROL = "/mo-phong/don-hang/"  # + <order_code>/chuyen: the simulator's own control
VIETNAM = datetime.timezone(datetime.timedelta(hours=7))
BASE_CHARGE = 16_500  # đồng, up to 100 g
CHARGE_PER_100G = 4_000


def quote_charge(weight_grams: int) -> int:
    return BASE_CHARGE + CHARGE_PER_100G * max(0, math.ceil((weight_grams - 100) / 100))


def signature_png(width: int = 160, height: int = 48) -> bytes:
    """A small grayscale PNG with a scrawl on it: the recipient's signature."""
    rows = []
    for y in range(height):
        row = bytearray([255] * width)
        for x in range(width):
            curve = height / 2 + (height / 3) * math.sin(x / 9) * math.cos(x / 23)
            if abs(y - curve) < 1.5:
                row[x] = 0
        rows.append(b"\x00" + bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


class ControlRefused(ValueError):
    """A move the simulator's control cannot make, answered as the carrier's JSON error."""

    def __init__(self, status: HTTPStatus, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass
class Order:
    order_code: str
    tracking_number: str
    request: dict[str, Any]
    charge: int
    status: str = wire.CREATED
    events: list[dict[str, Any]] = field(default_factory=list)


class CarrierSimulator(FaultyService):
    """The carrier served over HTTP on 127.0.0.1; use as a context manager."""

    name = "carrier simulator"

    def __init__(self, *, token: str = "carrier-token", secret: str = "carrier-secret", port: int = 0):  # noqa: S107
        super().__init__(token=token, host="127.0.0.1", port=port)
        self.secret = secret
        self.orders: dict[str, Order] = {}  # order code -> order
        self.by_client_code: dict[str, str] = {}
        self._state_lock = threading.RLock()
        self._counter = 0

    # --- the protocol ---

    def handle(self, method: str, path: str, body: Any) -> tuple[int, dict[str, Any]]:
        if method == "POST" and path == wire.PATH_QUOTE:
            return self._quote(body)
        if method == "POST" and path == wire.PATH_ORDERS:
            return self._create(body)
        if method == "GET" and path.startswith(wire.PATH_ORDERS + "/"):
            order = self.orders.get(path.removeprefix(wire.PATH_ORDERS + "/"))
            if order is None:
                return HTTPStatus.NOT_FOUND, wire.error_body("ORDER_NOT_FOUND", "Không tìm thấy đơn hàng")
            return HTTPStatus.OK, self._order_json(order)
        if method == "POST" and path.startswith(PATH_CONTROL) and path.endswith("/chuyen"):
            code = path.removeprefix(PATH_CONTROL).removesuffix("/chuyen")
            target = body.get("to") if isinstance(body, dict) else None
            try:
                event, _body, _signature = self.advance(code, str(target or ""))
            except ControlRefused as refused:
                return refused.status, wire.error_body(refused.code, refused.message)
            return HTTPStatus.OK, event
        return HTTPStatus.NOT_FOUND, wire.error_body("NOT_FOUND", "Không có chức năng này")

    def _quote(self, body: Any) -> tuple[int, dict[str, Any]]:
        if not isinstance(body, dict) or not str(body.get("to_address") or "").strip():
            return HTTPStatus.BAD_REQUEST, wire.error_body("INVALID_ADDRESS", "Thiếu địa chỉ nhận")
        weight = body.get("weight_grams")
        if not isinstance(weight, int) or weight <= 0:
            return HTTPStatus.BAD_REQUEST, wire.error_body("INVALID_WEIGHT", "Khối lượng không hợp lệ")
        return HTTPStatus.OK, {"service": body.get("service"), "charge": quote_charge(weight), "currency": "VND"}

    def _create(self, body: Any) -> tuple[int, dict[str, Any]]:
        if not isinstance(body, dict) or not isinstance(body.get("client_order_code"), str):
            return HTTPStatus.BAD_REQUEST, wire.error_body("INVALID", "Thiếu client_order_code")
        recipient = body.get("recipient")
        if not isinstance(recipient, dict) or not all(
            str(recipient.get(key) or "").strip() for key in ("name", "phone", "address")
        ):
            return HTTPStatus.BAD_REQUEST, wire.error_body("INVALID_RECIPIENT", "Thiếu tên, điện thoại hoặc địa chỉ")
        if body.get("cod_amount") != 0:
            return HTTPStatus.BAD_REQUEST, wire.error_body("INVALID_COD", "Không nhận thu hộ cho đơn này")
        with self._state_lock:
            known = self.by_client_code.get(body["client_order_code"])
            if known is not None:
                return HTTPStatus.OK, self._order_json(self.orders[known])
            self._counter += 1
            code = f"SIM{self._counter:08d}"
            order = Order(
                order_code=code,
                tracking_number=f"EB{self._counter:09d}VN",
                request=body,
                charge=quote_charge(int(body.get("weight_grams") or 100)),
            )
            self.orders[code] = order
            self.by_client_code[body["client_order_code"]] = code
            self._event(order, wire.CREATED, note="Đã tạo đơn")
            return HTTPStatus.CREATED, self._order_json(order)

    def _order_json(self, order: Order) -> dict[str, Any]:
        return {
            "order_code": order.order_code,
            "tracking_number": order.tracking_number,
            "charge": order.charge,
            "status": order.status,
            "events": order.events,
        }

    # --- moving orders on (tests and the demo) ---

    def _event(self, order: Order, status: str, *, note: str, proof: dict[str, Any] | None = None) -> dict[str, Any]:
        now = datetime.datetime.now(VIETNAM).replace(microsecond=0)
        event: dict[str, Any] = {
            "event_id": f"{order.order_code}-{len(order.events) + 1}",
            "order_code": order.order_code,
            "tracking_number": order.tracking_number,
            "status": status,
            "occurred_at": wire.format_time(now),
            "location": "Bưu cục phát",
            "note": note,
        }
        if proof is not None:
            event["proof"] = proof
        order.status = status
        order.events.append(event)
        return event

    def advance(self, order_code: str, status: str, *, push: bool = True) -> tuple[dict[str, Any], bytes, str]:
        """Record the next event of an order and push it to its callback; returns the event and
        the signed webhook (body, signature) so a test can deliver it itself."""
        with self._state_lock:
            order = self.orders.get(order_code)
            if order is None:
                raise ControlRefused(
                    HTTPStatus.NOT_FOUND,
                    "ORDER_NOT_FOUND",
                    f"Không có đơn hàng mã “{order_code}” trong trình mô phỏng.",
                )
            if order.status in wire.FINAL_STATUSES:
                raise ControlRefused(
                    HTTPStatus.CONFLICT,
                    "ORDER_FINISHED",
                    f"Đơn hàng “{order_code}” đã kết thúc ({order.status}), không chuyển sang trạng thái khác được.",
                )
            notes = {
                wire.PICKED_UP: "Bưu tá đã nhận hàng",
                wire.IN_TRANSIT: "Đang vận chuyển",
                wire.DELIVERED: "Phát thành công",
                wire.DELIVERY_FAILED: "Phát không thành công: người nhận vắng nhà",
                wire.RETURNED: "Đã chuyển hoàn cho người gửi",
                wire.LOST: "Bưu gửi bị thất lạc",
            }
            if status not in notes:
                raise ControlRefused(
                    HTTPStatus.BAD_REQUEST,
                    "INVALID_STATUS",
                    f"Trạng thái “{status}” không hợp lệ; chọn một trong: {', '.join(notes)}.",
                )
            proof = None
            if status == wire.DELIVERED:
                proof = {
                    "recipient_name": order.request["recipient"]["name"],
                    "delivered_at": wire.format_time(datetime.datetime.now(VIETNAM).replace(microsecond=0)),
                    "image_type": "image/png",
                    "image_base64": base64.b64encode(signature_png()).decode(),
                }
            event = self._event(order, status, note=notes[status], proof=proof)
        body = json.dumps(event, ensure_ascii=False).encode()
        signature = wire.sign(body, self.secret)
        if push:
            self._push(str(order.request.get("callback_url") or ""), body, signature)
        return event, body, signature

    def _push(self, url: str, body: bytes, signature: str) -> None:
        if not url.startswith(("http://", "https://")):
            return
        request = urllib.request.Request(  # noqa: S310 - the callback URL our side registered
            url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", wire.SIGNATURE_HEADER: signature},
        )
        # The receiver answers; a failure is retried by our side's polling, not by the simulator.
        with contextlib.suppress(OSError), urllib.request.urlopen(request, timeout=10):  # noqa: S310
            pass

    def _authorised(self, header: str | None) -> bool:
        return header is not None and hmac.compare_digest(header.encode(), self.token.encode())


class _Handler(JsonApiHandler):
    too_large = ("TOO_LARGE", "Yêu cầu quá lớn")
    not_json = ("INVALID_JSON", "Không phải JSON")

    @property
    def simulator(self) -> CarrierSimulator:
        return cast(CarrierSimulator, self.loopback)

    def _error(self, code: str, message: str) -> dict[str, Any]:
        return wire.error_body(code, message)

    def _refusal(self, path: str) -> tuple[int, dict[str, Any]] | None:
        simulator = self.simulator
        if simulator.mode == "down":
            return HTTPStatus.SERVICE_UNAVAILABLE, wire.error_body("MAINTENANCE", "Hệ thống đang bảo trì")
        if simulator.mode == "error":
            return HTTPStatus.INTERNAL_SERVER_ERROR, wire.error_body("SERVER_ERROR", "Lỗi hệ thống")
        if simulator.mode == "slow":
            simulator.pause()
        if not path.startswith(PATH_CONTROL) and not simulator._authorised(self.headers.get("Token")):
            return HTTPStatus.UNAUTHORIZED, wire.error_body("UNAUTHORIZED", "Sai Token")
        return None

    def _answer(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        return self.simulator.handle(method, path, body)


CarrierSimulator.handler = _Handler


def main() -> None:  # pragma: no cover - manual use and the demo
    parser = argparse.ArgumentParser(description="Serve a stand-in postal carrier over HTTP.")
    parser.add_argument("--port", type=int, default=8769)
    parser.add_argument("--token", default="carrier-token")
    parser.add_argument("--secret", default="carrier-secret")
    args = parser.parse_args()
    with CarrierSimulator(token=args.token, secret=args.secret, port=args.port) as simulator:
        print(f"Carrier simulator on {simulator.url}; move an order on with POST {PATH_CONTROL}<order>/chuyen")
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":  # pragma: no cover
    main()
