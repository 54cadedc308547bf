"""Pytest fixtures for notifications: the real adapters against local stand-ins of the providers.

- `sms_simulator`: the "http" SMS plugin against SmsSimulator;
- `zalo_simulator`: the "http" Zalo plugin against ZaloSimulator, with a static access token;
- `zalo_oauth_simulator`: the same, renewing its access tokens through the simulator's OAuth endpoint;
- `smtp_server`: the "smtp" e-mail plugin against a real SMTP server (aiosmtpd) on 127.0.0.1;
- `sms_demo`: the "demo" SMS plugin, whatever the environment says;
- `queue_down`: a task queue whose every enqueue raises (jobs queued after commit are lost).

Registered for every app in the root conftest.py:

    pytest_plugins = ["motcua.notifications.testing"]
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import logging
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings as django_settings
from django_tasks.backends.dummy import DummyBackend
from pytest_django.fixtures import Settings as SettingsFixture

from motcua.notifications.simulator import SmsSimulator
from motcua.notifications.webhooks import webhook_headers, webhook_secret
from motcua.notifications.zalo_simulator import ZaloSimulator

SIMULATOR_TOKEN = "simulator-test-token"  # noqa: S105 - only the simulator accepts it
ZALO_SIMULATOR_TOKEN = "zalo-simulator-test-token"  # noqa: S105 - only the simulator accepts it
ZALO_APP_ID = "4291763606161179100"
ZALO_SECRET_KEY = "zalo-simulator-secret-key"  # noqa: S105 - only the simulator accepts it


@pytest.fixture
def sms_simulator(settings: SettingsFixture) -> Iterator[SmsSimulator]:
    """A running SmsSimulator, with settings pointing the "http" SMS plugin at it."""
    with SmsSimulator(token=SIMULATOR_TOKEN) as simulator:
        settings.MOTCUA_PLUGINS = {**settings.MOTCUA_PLUGINS, "sms": "http"}
        settings.MOTCUA_SMS_HTTP_URL = simulator.url
        settings.MOTCUA_SMS_HTTP_TOKEN = SIMULATOR_TOKEN
        # Short enough that a test against a hung simulator fails quickly.
        settings.MOTCUA_HTTP_TIMEOUT_SECONDS = 5
        yield simulator


@pytest.fixture
def sms_demo(settings: SettingsFixture) -> None:
    """The "demo" SMS plugin, whatever MOTCUA_SMS_PLUGIN says: messages land in DemoSmsMessage."""
    settings.MOTCUA_PLUGINS = {**settings.MOTCUA_PLUGINS, "sms": "demo"}


@pytest.fixture
def zalo_simulator(settings: SettingsFixture) -> Iterator[ZaloSimulator]:
    """A running ZaloSimulator, with settings pointing the "http" Zalo plugin at it."""
    with ZaloSimulator(token=ZALO_SIMULATOR_TOKEN) as simulator:
        settings.MOTCUA_PLUGINS = {**settings.MOTCUA_PLUGINS, "zalo": "http"}
        settings.MOTCUA_ZALO_HTTP_URL = simulator.url
        settings.MOTCUA_ZALO_ACCESS_TOKEN = ZALO_SIMULATOR_TOKEN
        settings.MOTCUA_ZALO_APP_ID = ""  # no app id: the static token, whatever the environment says
        settings.MOTCUA_HTTP_TIMEOUT_SECONDS = 5
        yield simulator


@pytest.fixture
def zalo_oauth_simulator(settings: SettingsFixture) -> Iterator[ZaloSimulator]:
    """A running ZaloSimulator that only takes the access tokens it issued, with settings for
    renewing them: app id, secret key, OAuth URL and a first refresh token (nothing stored yet)."""
    with ZaloSimulator(token="", app_id=ZALO_APP_ID, secret_key=ZALO_SECRET_KEY) as simulator:
        settings.MOTCUA_PLUGINS = {**settings.MOTCUA_PLUGINS, "zalo": "http"}
        settings.MOTCUA_ZALO_HTTP_URL = simulator.url
        settings.MOTCUA_ZALO_ACCESS_TOKEN = ""
        settings.MOTCUA_ZALO_APP_ID = ZALO_APP_ID
        settings.MOTCUA_ZALO_SECRET_KEY = ZALO_SECRET_KEY
        settings.MOTCUA_ZALO_OAUTH_URL = simulator.oauth_url
        settings.MOTCUA_ZALO_REFRESH_TOKEN = simulator.issue_refresh_token()
        settings.MOTCUA_HTTP_TIMEOUT_SECONDS = 5
        yield simulator


# --- a real SMTP server ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        body = self.message.get_body(preferencelist=("plain",))
        return body.get_content() if body is not None else ""


class SmtpTestServer:
    """An SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it received.

    `fail(code)` answers RCPT with `code` (451: try later; 550: refused). `hold()` makes the
    server stop at RCPT until `release()`: a client killed meanwhile never completes the SMTP
    transaction, so nothing is received, as with a real server. `go_down()` closes the port
    (connections refused, an outage) until `come_back()`.
    """

    def __init__(self) -> None:
        self.received: list[ReceivedMail] = []
        self.fail_code: int | None = None
        self.held = threading.Event()
        self._released = threading.Event()
        self._released.set()
        self._lock = threading.Lock()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.controller = self._controller()

    def _controller(self) -> Controller:
        # A fixed greeting name: otherwise aiosmtpd calls socket.getfqdn() on every connection,
        # which waits for a DNS timeout (5 s) on a machine whose name is not in /etc/hosts, as in
        # a freshly debootstrapped root.
        return Controller(self, hostname="127.0.0.1", port=self.port, server_hostname="localhost")

    def start(self) -> SmtpTestServer:
        self.controller.start()
        self._running = True
        return self

    def stop(self) -> None:
        self._released.set()
        if getattr(self, "_running", False):
            self._running = False
            self.controller.stop()

    def go_down(self) -> None:
        self.controller.stop()
        self._running = False

    def come_back(self) -> None:
        # A stopped controller's event loop is closed: a new one listens on the same port.
        self.controller = self._controller()
        self.start()

    def fail(self, code: int = 451) -> None:
        self.fail_code = code

    def recover(self) -> None:
        self.fail_code = None

    def hold(self) -> None:
        self.held.clear()
        self._released.clear()

    def release(self) -> None:
        self._released.set()

    def to(self, address: str) -> list[ReceivedMail]:
        with self._lock:
            return [mail for mail in self.received if address in mail.rcpt_tos]

    # aiosmtpd handler hooks

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        if self.fail_code is not None:
            return f"{self.fail_code} Simulated failure"
        if not self._released.is_set():
            self.held.set()
            # Cancelled by aiosmtpd if the client goes away meanwhile.
            while not self._released.is_set():
                await asyncio.sleep(0.02)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        with self._lock:
            self.received.append(
                ReceivedMail(
                    mail_from=envelope.mail_from,
                    rcpt_tos=list(envelope.rcpt_tos),
                    message=message,
                )
            )
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings: SettingsFixture) -> Iterator[SmtpTestServer]:
    """A running SmtpTestServer, with settings pointing the "smtp" e-mail plugin at it."""
    # aiosmtpd narrates every command, addresses included: only its problems are worth a line.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    server = SmtpTestServer().start()
    settings.MOTCUA_PLUGINS = {**settings.MOTCUA_PLUGINS, "email": "smtp"}
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    try:
        yield server
    finally:
        server.stop()


# --- a task queue that is down ----------------------------------------------------------------------


class QueueDownBackend(DummyBackend):
    """A task queue that cannot be reached: every enqueue raises, as RQ's does with Redis down."""

    def enqueue(self, task: Any, args: Any, kwargs: Any) -> Any:
        self.validate_task(task)
        raise ConnectionError("the task queue cannot be reached")


@pytest.fixture
def queue_down(settings: SettingsFixture) -> None:
    """Every job queued after commit is lost: only the periodic sweeps can find the work."""
    settings.TASKS = {"default": {"BACKEND": "motcua.notifications.testing.QueueDownBackend", "QUEUES": ["default"]}}


# --- webhooks ------------------------------------------------------------------------------------


def signed_post(client: Any, path: str, *, channel: str, payload: Any, timestamp: int | None = None) -> Any:
    """POST `payload` as JSON to a webhook with the channel's valid signature (a provider's call)."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = webhook_headers(secret=webhook_secret(channel), body=body, timestamp=timestamp)
    return client.post(path, data=body, content_type="application/json", headers=headers)


# --- workers in other processes: a dispatcher to be killed, Zalo senders racing ---------------------

_SETUP = """
import sys
import django
django.setup()
from django.db import connections
connections["default"].settings_dict["NAME"] = sys.argv[1]
"""
_DISPATCH_SCRIPT = (
    _SETUP
    + """
from motcua.notifications.outbox import outbox_dispatch
print(outbox_dispatch().as_dict(), flush=True)
"""
)
_ZALO_SEND_SCRIPT = (
    _SETUP
    + """
from motcua.notifications.zalo import zalo_gateways
gateway = zalo_gateways.get()
print("ready", flush=True)
sys.stdin.readline()
print(gateway.send(phone=sys.argv[3], template_id="motcua_test", template_data={}, tracking_id=sys.argv[2]), flush=True)
"""
)


def _provider_env() -> dict[str, str]:
    """The plugin settings of this test (fixtures changed them) as the environment variables a
    worker process reads them from."""
    s = django_settings
    return {
        "MOTCUA_EMAIL_PLUGIN": s.MOTCUA_PLUGINS.get("email", "demo"),
        "MOTCUA_SMS_PLUGIN": s.MOTCUA_PLUGINS.get("sms", "demo"),
        "MOTCUA_ZALO_PLUGIN": s.MOTCUA_PLUGINS.get("zalo", "demo"),
        "EMAIL_HOST": s.EMAIL_HOST,
        "EMAIL_PORT": str(s.EMAIL_PORT),
        "MOTCUA_SMS_HTTP_URL": s.MOTCUA_SMS_HTTP_URL,
        "MOTCUA_SMS_HTTP_TOKEN": s.MOTCUA_SMS_HTTP_TOKEN,
        "MOTCUA_ZALO_HTTP_URL": s.MOTCUA_ZALO_HTTP_URL,
        "MOTCUA_ZALO_ACCESS_TOKEN": s.MOTCUA_ZALO_ACCESS_TOKEN,
        "MOTCUA_ZALO_APP_ID": s.MOTCUA_ZALO_APP_ID,
        "MOTCUA_ZALO_SECRET_KEY": s.MOTCUA_ZALO_SECRET_KEY,
        "MOTCUA_ZALO_OAUTH_URL": s.MOTCUA_ZALO_OAUTH_URL,
        "MOTCUA_ZALO_REFRESH_TOKEN": s.MOTCUA_ZALO_REFRESH_TOKEN,
        "MOTCUA_NOTIFICATION_CHANNELS": ",".join(s.MOTCUA_NOTIFICATION_CHANNELS),
        "MOTCUA_OUTBOX_LEASE_SECONDS": str(s.MOTCUA_OUTBOX_LEASE_SECONDS),
    }


def dispatcher_process(*, database_name: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """`outbox_dispatch()` in a separate worker process on the test database, with this test's
    plugin settings (and `env` on top). Tests kill it mid-send: a real crash, not a simulated one.

    The test must commit what the worker is to see (django_db(transaction=True)).
    """
    return _worker_process(_DISPATCH_SCRIPT, database_name, env=env)


def zalo_send_process(*, database_name: str, tracking_id: str, phone: str) -> subprocess.Popen[str]:
    """A worker process that sends one Zalo message through the configured plugin, on the test
    database: it prints "ready", waits for a line on stdin, sends, and prints Zalo's message id.
    Waiting lets a test start several at the same moment."""
    return _worker_process(_ZALO_SEND_SCRIPT, database_name, tracking_id, phone, stdin=True)


def _worker_process(
    script: str, *args: str, env: dict[str, str] | None = None, stdin: bool = False
) -> subprocess.Popen[str]:
    full_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "motcua.conf.test", **_provider_env(), **(env or {})}
    return subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script, *args],
        cwd=str(django_settings.BASE_DIR),
        env=full_env,
        stdin=subprocess.PIPE if stdin else None,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
