"""A local stand-in for Zalo's ZNS API, speaking the protocol of the "http" Zalo plugin.

Tests start it on a random port (motcua.notifications.testing.zalo_simulator); developers can
run it by hand and point MOTCUA_ZALO_HTTP_URL at it:

    python -m motcua.notifications.zalo_simulator --port 8026 --token demo
    MOTCUA_ZALO_PLUGIN=http MOTCUA_ZALO_HTTP_URL=http://127.0.0.1:8026 MOTCUA_ZALO_ACCESS_TOKEN=demo ...

Protocol (docs/notifications.md), shaped like ZNS:
    POST /message/template   access_token: <token>
        {"phone": "84…", "template_id": "…", "template_data": {…}, "tracking_id": "…"}
        → 200 {"error": 0, "message": "Success", "data": {"msg_id": "…", "sent_time": "<ms>"}}
        → 200 {"error": -124, …} wrong token; -108 bad phone; -1123 unknown template or
          parameters; -201 malformed body; or any error/HTTP status while made to fail.
        A repeated tracking_id is answered with the first message's id and not sent again.
    GET /messages   access_token: <token>   → 200 {"messages": [...]}

Standard library only, so it runs without Django settings.
"""

from __future__ import annotations

import argparse
import hmac
import itertools
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any, cast
from urllib.parse import urlsplit

from motcua.core.privacy import mask_phone
from motcua.notifications.loopback import LoopbackHandler, LoopbackSimulator

_PHONE = re.compile(r"84\d{9,10}")


@dataclass(frozen=True)
class SimulatedZns:
    id: str
    phone: str
    template_id: str
    template_data: dict[str, str]
    tracking_id: str
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))


class ZaloSimulator(LoopbackSimulator):
    """Zalo's ZNS endpoint on 127.0.0.1, in a background thread. Use as a context manager.

    `templates` (template id → parameter names), when given, makes unknown templates and
    missing parameters errors, as Zalo does for templates it has not approved.
    """

    name = "Zalo simulator"

    def __init__(
        self,
        *,
        token: str = "test-token",  # noqa: S107 - a simulator's token, not a secret
        host: str = "127.0.0.1",
        port: int = 0,
        templates: dict[str, set[str]] | None = None,
        on_message: Callable[[SimulatedZns], None] | None = None,
    ):
        super().__init__(token=token, host=host, port=port)
        self.templates = templates
        self.on_message = on_message
        self.messages: list[SimulatedZns] = []
        # When set, sending is answered 200 with this ZNS error code until recover().
        self.fail_error: int | None = None
        self._ids = itertools.count(1)

    # --- switches and reads for tests ---

    def fail_with_error(self, error: int) -> None:
        """Answer every message 200 with ZNS error code `error` until recover()."""
        self.fail_error = error

    def recover(self) -> None:
        super().recover()
        self.fail_error = None

    def messages_to(self, phone: str) -> list[SimulatedZns]:
        with self._lock:
            return [message for message in self.messages if message.phone == phone]

    # --- used by the request handler ---

    def _authorised(self, header: str | None) -> bool:
        return hmac.compare_digest((header or "").encode(), self.token.encode())

    def _record(self, **values: Any) -> SimulatedZns:
        with self._lock:
            self.requests += 1
            for earlier in self.messages:
                if earlier.tracking_id == values["tracking_id"]:
                    return earlier
            message = SimulatedZns(id=f"zmsg-{next(self._ids)}", **values)
            self.messages.append(message)
        if self.on_message is not None:
            self.on_message(message)
        return message

    def _problem(self, payload: Any) -> tuple[int, str] | None:
        if not isinstance(payload, dict):
            return -201, "Body data is invalid"
        phone, template_id = payload.get("phone"), payload.get("template_id")
        data, tracking_id = payload.get("template_data"), payload.get("tracking_id")
        if not (isinstance(template_id, str) and isinstance(tracking_id, str) and tracking_id):
            return -201, "Body data is invalid"
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            return -201, "template_data is invalid"
        if not isinstance(phone, str) or not _PHONE.fullmatch(phone):
            return -108, "Phone number is invalid"
        if self.templates is not None:
            expected = self.templates.get(template_id)
            if expected is None or set(data) != expected:
                return -1123, "Template or template_data is invalid"
        return None


class _Handler(LoopbackHandler):
    server_version = "MotcuaZaloSimulator/1.0"

    @property
    def simulator(self) -> ZaloSimulator:
        return cast(ZaloSimulator, self.loopback)

    def _error(self, error: int, message: str) -> None:
        self._reply(HTTPStatus.OK, {"error": error, "message": message})

    def do_POST(self) -> None:
        if urlsplit(self.path).path.rstrip("/") != "/message/template":
            self._reply(HTTPStatus.NOT_FOUND, {"error": -404, "message": "Not found"})
            return
        simulator = self.simulator
        raw = self._body()
        if raw is None:
            self._reply(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": -201, "message": "Body too large"})
            return
        if simulator.fail_status is not None:
            simulator._count_request()
            self._reply(simulator.fail_status, {"error": -1, "message": "Service unavailable"})
            return
        if simulator.fail_error is not None:
            simulator._count_request()
            self._error(simulator.fail_error, "Simulated failure")
            return
        if not simulator._authorised(self.headers.get("access_token")):
            self._error(-124, "Access token is invalid")
            return
        try:
            payload = json.loads(raw)
        except ValueError:
            payload = None
        problem = simulator._problem(payload)
        if problem is not None:
            self._error(*problem)
            return
        message = simulator._record(
            phone=payload["phone"],
            template_id=payload["template_id"],
            template_data=dict(payload["template_data"]),
            tracking_id=payload["tracking_id"],
        )
        simulator._wait_if_held()
        try:
            self._reply(
                HTTPStatus.OK,
                {
                    "error": 0,
                    "message": "Success",
                    "data": {"msg_id": message.id, "sent_time": str(int(time.time() * 1000))},
                },
            )
        except OSError:
            return  # the sender is gone; the message stays recorded

    def do_GET(self) -> None:
        if urlsplit(self.path).path.rstrip("/") != "/messages":
            self._reply(HTTPStatus.NOT_FOUND, {"error": -404, "message": "Not found"})
            return
        if not self.simulator._authorised(self.headers.get("access_token")):
            self._error(-124, "Access token is invalid")
            return
        with self.simulator._lock:
            listed = [{**asdict(m), "received_at": m.received_at.isoformat()} for m in self.simulator.messages]
        self._reply(HTTPStatus.OK, {"messages": listed})


ZaloSimulator.handler = _Handler


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Local Zalo ZNS simulator for motcua.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8026)
    parser.add_argument("--token", default="demo")
    args = parser.parse_args(argv)

    def show(message: SimulatedZns) -> None:
        print(
            f"[{message.received_at:%H:%M:%S}] {message.id} → {mask_phone(message.phone)}: "
            f"{message.template_id} {json.dumps(message.template_data, ensure_ascii=False)}",
            flush=True,
        )

    with ZaloSimulator(token=args.token, host=args.host, port=args.port, on_message=show) as simulator:
        print(f"Zalo simulator listening on {simulator.url} (POST /message/template)", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("Stopping.", flush=True)


if __name__ == "__main__":
    main()
