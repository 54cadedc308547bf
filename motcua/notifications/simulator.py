"""A local stand-in for the SMS provider, speaking the protocol of the "http" SMS plugin.

Tests start it on a random port (see motcua.notifications.testing.sms_simulator); developers can
run it by hand and point MOTCUA_SMS_HTTP_URL at it:

    python -m motcua.notifications.simulator --port 8025 --token demo
    MOTCUA_SMS_PLUGIN=http MOTCUA_SMS_HTTP_URL=http://127.0.0.1:8025 MOTCUA_SMS_HTTP_TOKEN=demo ...

Protocol (docs/sms-and-otp.md):
    POST /messages   Authorization: Bearer <token>   {"to": "...", "text": "...", "client_ref": "..."}
        → 202 {"id": "sim-1"}; 401 wrong token; 400 malformed; 503 while made to fail.
        A repeated client_ref is answered with the first message's id and not sent again.
        While held (tests: a worker killed mid-send), the message is recorded and the answer
        waits until released.
    GET /messages[?to=<phone>]   Authorization: Bearer <token>   → 200 {"messages": [...]}

Standard library only, so it runs without Django settings.
"""

from __future__ import annotations

import argparse
import hmac
import itertools
import json
import re
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

from motcua.core.loopback import LoopbackHandler, LoopbackSimulator
from motcua.core.privacy import mask_phone

_CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


@dataclass(frozen=True)
class SimulatedSms:
    id: str
    to: str
    text: str
    client_ref: str
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))


class SmsSimulator(LoopbackSimulator):
    """The SMS provider on 127.0.0.1, in a background thread. Use as a context manager."""

    name = "SMS simulator"

    def __init__(
        self,
        *,
        token: str = "test-token",  # noqa: S107 - a simulator's token, not a secret
        host: str = "127.0.0.1",
        port: int = 0,
        on_message: Callable[[SimulatedSms], None] | None = None,
    ):
        super().__init__(token=token, host=host, port=port)
        self.on_message = on_message
        self.messages: list[SimulatedSms] = []
        self._ids = itertools.count(1)

    # --- reads for tests ---

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()
            self.requests = 0

    def messages_to(self, phone: str) -> list[SimulatedSms]:
        with self._lock:
            return [message for message in self.messages if message.to == phone]

    def last_code_for(self, phone: str) -> str | None:
        """The 6-digit code in the last message to `phone`, if any."""
        sent = self.messages_to(phone)
        if not sent:
            return None
        match = _CODE.search(sent[-1].text)
        return match.group(1) if match else None

    # --- used by the request handler ---

    def _authorised(self, header: str | None) -> bool:
        expected = f"Bearer {self.token}".encode()
        return hmac.compare_digest((header or "").encode(), expected)

    def _record(self, *, to: str, text: str, client_ref: str) -> SimulatedSms:
        with self._lock:
            if client_ref:
                for earlier in self.messages:
                    if earlier.client_ref == client_ref:
                        return earlier
            message = SimulatedSms(id=f"sim-{next(self._ids)}", to=to, text=text, client_ref=client_ref)
            self.messages.append(message)
        if self.on_message is not None:
            self.on_message(message)
        return message


class _Handler(LoopbackHandler):
    server_version = "MotcuaSmsSimulator/1.0"

    @property
    def simulator(self) -> SmsSimulator:
        return cast(SmsSimulator, self.loopback)

    def _reply(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        if status == HTTPStatus.UNAUTHORIZED:
            headers = {**(headers or {}), "WWW-Authenticate": 'Bearer realm="sms"'}
        super()._reply(status, body, headers)

    def do_POST(self) -> None:
        if urlsplit(self.path).path.rstrip("/") != "/messages":
            self._reply(HTTPStatus.NOT_FOUND, {"error": "not_found"})
            return
        simulator = self.simulator
        simulator._count_request()
        raw = self._body()
        if raw is None:
            self._reply(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": "too_large"})
            return
        if simulator.fail_status is not None:
            self._reply(simulator.fail_status, {"error": "unavailable"})
            return
        if not simulator._authorised(self.headers.get("Authorization")):
            self._reply(HTTPStatus.UNAUTHORIZED, {"error": "unauthorized"})
            return
        try:
            payload = json.loads(raw)
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            self._reply(HTTPStatus.BAD_REQUEST, {"error": "invalid_json"})
            return
        to, text, client_ref = payload.get("to"), payload.get("text"), payload.get("client_ref", "")
        if not (isinstance(to, str) and to and isinstance(text, str) and text and isinstance(client_ref, str)):
            self._reply(HTTPStatus.BAD_REQUEST, {"error": "invalid_message"})
            return
        message = simulator._record(to=to, text=text, client_ref=client_ref)
        simulator._wait_if_held()
        try:
            self._reply(HTTPStatus.ACCEPTED, {"id": message.id})
        except OSError:
            # The sender is gone (killed while waiting): the message stays recorded, as it would
            # at a real provider.
            return

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path.rstrip("/") != "/messages":
            self._reply(HTTPStatus.NOT_FOUND, {"error": "not_found"})
            return
        if not self.simulator._authorised(self.headers.get("Authorization")):
            self._reply(HTTPStatus.UNAUTHORIZED, {"error": "unauthorized"})
            return
        to = parse_qs(parts.query).get("to", [""])[0]
        with self.simulator._lock:
            found = [m for m in self.simulator.messages if not to or m.to == to]
        listed = [{**asdict(m), "received_at": m.received_at.isoformat()} for m in found]
        self._reply(HTTPStatus.OK, {"messages": listed})


SmsSimulator.handler = _Handler


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Local SMS provider simulator for motcua.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--token", default="demo")
    args = parser.parse_args(argv)

    def show(message: SimulatedSms) -> None:
        # The text is shown so a developer can type the code; the number is masked as in any log.
        print(f"[{message.received_at:%H:%M:%S}] {message.id} → {mask_phone(message.to)}: {message.text}", flush=True)

    simulator = SmsSimulator(token=args.token, host=args.host, port=args.port, on_message=show)
    with simulator:
        print(f"SMS simulator listening on {simulator.url} (POST /messages, bearer token required)", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("Stopping.", flush=True)


if __name__ == "__main__":
    main()
