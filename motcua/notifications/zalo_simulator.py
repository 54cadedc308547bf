"""A local stand-in for Zalo's ZNS API, speaking the protocol of the "http" Zalo plugin.

Tests start it on a random port (motcua.notifications.testing.zalo_simulator and
zalo_oauth_simulator); developers can run it by hand and point MOTCUA_ZALO_HTTP_URL at it:

    python -m motcua.notifications.zalo_simulator --port 8026 --token demo
    MOTCUA_ZALO_PLUGIN=http MOTCUA_ZALO_HTTP_URL=http://127.0.0.1:8026 MOTCUA_ZALO_ACCESS_TOKEN=demo ...

or, renewing tokens as in production (it prints the first refresh token):

    python -m motcua.notifications.zalo_simulator --port 8026 --app-id 1234 --secret-key demo-secret
    MOTCUA_ZALO_APP_ID=1234 MOTCUA_ZALO_SECRET_KEY=demo-secret MOTCUA_ZALO_REFRESH_TOKEN=<printed>
    MOTCUA_ZALO_OAUTH_URL=http://127.0.0.1:8026/v4/oa/access_token ...

Protocol (docs/notifications.md), shaped like ZNS and Zalo's OAuth v4 for Official Accounts:
    POST /message/template   access_token: <token>
        {"phone": "84…", "template_id": "…", "template_data": {…}, "tracking_id": "…"}
        → 200 {"error": 0, "message": "Success", "data": {"msg_id": "…", "sent_time": "<ms>"}}
        → 200 {"error": -124, …} unknown or expired token; -108 bad phone; -1123 unknown template
          or parameters; -201 malformed body; or any error/HTTP status while made to fail.
        A repeated tracking_id is answered with the first message's id and not sent again.
    GET /messages   access_token: <token>   → 200 {"messages": [...]}
    POST /v4/oa/access_token   secret_key: <secret>
        refresh_token=<rt>&app_id=<id>&grant_type=refresh_token   (form-encoded)
        → 200 {"access_token": "…", "refresh_token": "…", "expires_in": "90000"}
        → 200 {"error": -14014, "error_name": "Invalid refresh token", …} unknown or used refresh
          token (each works once); -14002 wrong app id; -14003 wrong secret key or grant type.
    The static `token` is accepted next to the access tokens issued here.

Standard library only, so it runs without Django settings.
"""

from __future__ import annotations

import argparse
import hmac
import itertools
import json
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

from motcua.core.loopback import LoopbackHandler, LoopbackSimulator
from motcua.core.privacy import mask_phone

_PHONE = re.compile(r"84\d{9,10}")
OAUTH_PATH = "/v4/oa/access_token"
# Zalo's lifetime of an OA access token: 25 hours.
ACCESS_TOKEN_LIFETIME = 90000


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

    `app_id` and `secret_key`, when given, open the OAuth endpoint: it trades a refresh token
    (`issue_refresh_token()` makes the first, as Zalo's developer tools do) for an access token
    living `access_token_lifetime` seconds and a new refresh token; each refresh token works once.
    `token` stays accepted as a static access token.
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
        app_id: str = "",
        secret_key: str = "",
        access_token_lifetime: int = ACCESS_TOKEN_LIFETIME,
    ):
        super().__init__(token=token, host=host, port=port)
        self.templates = templates
        self.on_message = on_message
        self.messages: list[SimulatedZns] = []
        # When set, sending is answered 200 with this ZNS error code until recover().
        self.fail_error: int | None = None
        self._ids = itertools.count(1)
        self.app_id = app_id
        self.secret_key = secret_key
        self.access_token_lifetime = access_token_lifetime
        # Calls to the OAuth endpoint, answered or refused; reuses: refresh tokens sent again
        # after they were traded (a well-behaved client makes none).
        self.refresh_calls = 0
        self.refresh_token_reuses = 0
        # Messages answered -124 (unknown or expired access token).
        self.token_refusals = 0
        # Seconds the OAuth endpoint waits before answering: widens the window two clients
        # renewing at once would both fall into.
        self.oauth_delay = 0.0
        # When set, the OAuth endpoint answers with this HTTP status until recover().
        self.oauth_fail_status: int | None = None
        self._access_tokens: dict[str, float] = {}  # token → expiry (epoch seconds)
        self._refresh_tokens: set[str] = set()  # usable ones
        self._used_refresh_tokens: set[str] = set()

    # --- switches and reads for tests ---

    def fail_with_error(self, error: int) -> None:
        """Answer every message 200 with ZNS error code `error` until recover()."""
        self.fail_error = error

    def recover(self) -> None:
        super().recover()
        self.fail_error = None
        self.oauth_fail_status = None

    def issue_refresh_token(self) -> str:
        """A new usable refresh token, as an administrator gets one from Zalo's developer tools."""
        token = "rt-" + secrets.token_urlsafe(24)
        with self._lock:
            self._refresh_tokens.add(token)
        return token

    def expire_access_tokens(self) -> None:
        """Every access token issued so far expires now (ZNS answers -124 to them)."""
        with self._lock:
            self._access_tokens = dict.fromkeys(self._access_tokens, 0.0)

    def revoke_refresh_tokens(self) -> None:
        """Every refresh token stops working (expired, or the OA's authorisation withdrawn)."""
        with self._lock:
            self._refresh_tokens.clear()

    def fail_oauth(self, status: int = 503) -> None:
        """Answer every OAuth call with HTTP `status` until recover()."""
        self.oauth_fail_status = status

    @property
    def issued_access_tokens(self) -> list[str]:
        with self._lock:
            return list(self._access_tokens)

    @property
    def oauth_url(self) -> str:
        """What MOTCUA_ZALO_OAUTH_URL points at: the same server as ZNS."""
        return self.url + OAUTH_PATH

    def messages_to(self, phone: str) -> list[SimulatedZns]:
        with self._lock:
            return [message for message in self.messages if message.phone == phone]

    # --- used by the request handler ---

    def _authorised(self, header: str | None) -> bool:
        value = header or ""
        if self.token and hmac.compare_digest(value.encode(), self.token.encode()):
            return True
        with self._lock:
            expires = self._access_tokens.get(value)
        return expires is not None and expires > time.time()

    def _oauth(self, *, secret_key: str, form: dict[str, str]) -> dict[str, Any]:
        """The answer to a token refresh: a new pair, or Zalo's error shape."""
        with self._lock:
            self.refresh_calls += 1
        if not self.app_id or form.get("app_id") != self.app_id:
            return _oauth_error(-14002, "Invalid app id")
        if not self.secret_key or not hmac.compare_digest(secret_key.encode(), self.secret_key.encode()):
            return _oauth_error(-14003, "Invalid secret key")
        if form.get("grant_type") != "refresh_token":
            return _oauth_error(-14003, "Invalid grant type")
        refresh_token = form.get("refresh_token", "")
        with self._lock:
            if refresh_token in self._used_refresh_tokens:
                self.refresh_token_reuses += 1
            if refresh_token not in self._refresh_tokens:
                return _oauth_error(-14014, "Invalid refresh token")
            self._refresh_tokens.discard(refresh_token)
            self._used_refresh_tokens.add(refresh_token)
            access_token = "at-" + secrets.token_urlsafe(24)
            self._access_tokens[access_token] = time.time() + self.access_token_lifetime
            new_refresh_token = "rt-" + secrets.token_urlsafe(24)
            self._refresh_tokens.add(new_refresh_token)
        return {
            "access_token": access_token,
            "refresh_token": new_refresh_token,
            "expires_in": str(self.access_token_lifetime),
        }

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


def _oauth_error(error: int, name: str) -> dict[str, Any]:
    return {"error": error, "error_name": name, "error_reason": name, "error_description": name}


class _Handler(LoopbackHandler):
    server_version = "MotcuaZaloSimulator/1.0"

    @property
    def simulator(self) -> ZaloSimulator:
        return cast(ZaloSimulator, self.loopback)

    def _error(self, error: int, message: str) -> None:
        self._reply(HTTPStatus.OK, {"error": error, "message": message})

    def do_POST(self) -> None:
        path = urlsplit(self.path).path.rstrip("/")
        if path not in ("/message/template", OAUTH_PATH):
            self._reply(HTTPStatus.NOT_FOUND, {"error": -404, "message": "Not found"})
            return
        simulator = self.simulator
        raw = self._body()
        if raw is None:
            self._reply(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": -201, "message": "Body too large"})
            return
        if path == OAUTH_PATH:
            self._refresh(raw)
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
            with simulator._lock:
                simulator.token_refusals += 1
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

    def _refresh(self, raw: bytes) -> None:
        simulator = self.simulator
        if simulator.oauth_delay:
            time.sleep(simulator.oauth_delay)
        if simulator.oauth_fail_status is not None:
            with simulator._lock:
                simulator.refresh_calls += 1
            self._reply(simulator.oauth_fail_status, {"error": -1, "error_name": "Service unavailable"})
            return
        form = {name: values[0] for name, values in parse_qs(raw.decode("utf-8", "replace")).items()}
        answer = simulator._oauth(secret_key=self.headers.get("secret_key") or "", form=form)
        self._reply(HTTPStatus.OK, answer)

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
    parser.add_argument("--app-id", default="", help="open the OAuth endpoint for this app id")
    parser.add_argument("--secret-key", default="", help="the app's secret key (with --app-id)")
    args = parser.parse_args(argv)

    def show(message: SimulatedZns) -> None:
        print(
            f"[{message.received_at:%H:%M:%S}] {message.id} → {mask_phone(message.phone)}: "
            f"{message.template_id} {json.dumps(message.template_data, ensure_ascii=False)}",
            flush=True,
        )

    with ZaloSimulator(
        token=args.token,
        host=args.host,
        port=args.port,
        on_message=show,
        app_id=args.app_id,
        secret_key=args.secret_key,
    ) as simulator:
        print(f"Zalo simulator listening on {simulator.url} (POST /message/template)", flush=True)
        if args.app_id:
            print(f"OAuth: {simulator.oauth_url}, first refresh token: {simulator.issue_refresh_token()}", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("Stopping.", flush=True)


if __name__ == "__main__":
    main()
