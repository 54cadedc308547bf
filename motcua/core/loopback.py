"""What the local stand-ins for outside providers share: a threaded HTTP server on 127.0.0.1,
an outage switch, answers that can be held back after a message is recorded (the window a
crash can fall into), and a count of the requests that arrived. LoopbackService is the server
and the count alone (the population simulator in motcua.integrations is built on it);
LoopbackSimulator adds the switches. JsonApiHandler is the request handler of a provider
whose API takes and answers JSON.

Standard library only, so the simulators run without Django settings.
"""

from __future__ import annotations

import contextlib
import json
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self, cast

MAX_BODY_BYTES = 64 * 1024


class LoopbackService:
    """A stand-in service in a background thread; use as a context manager."""

    # The name used in errors and the thread name; subclasses set their handler.
    name = "simulator"
    handler: type[BaseHTTPRequestHandler]

    def __init__(self, *, token: str, host: str, port: int):
        self.token = token
        self.host = host
        self.port = port
        # Every request that counts as an attempt: lets tests count retries.
        self.requests = 0
        self._lock = threading.Lock()
        self._server: LoopbackServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError(f"The {self.name} is not running.")
        return f"http://{self.host}:{self.port}"

    def start(self) -> Self:
        if self._server is not None:
            return self
        self._server = LoopbackServer((self.host, self.port), self.handler, simulator=self)
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name=self.name, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._wake_waiting_handlers()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _wake_waiting_handlers(self) -> None:
        """Called as the server stops; subclasses whose handlers wait make them go on."""

    def _count_request(self) -> None:
        with self._lock:
            self.requests += 1


class PausingService(LoopbackService):
    """A stand-in whose handlers can be slow: `pause()` waits `delay` seconds, cut short when the
    service stops."""

    def __init__(self, *, token: str, host: str, port: int, delay: float = 0.0):
        super().__init__(token=token, host=host, port=port)
        self.delay = delay
        self._stopping = threading.Event()

    def start(self) -> Self:
        self._stopping.clear()
        return super().start()

    def _wake_waiting_handlers(self) -> None:
        self._stopping.set()

    def pause(self) -> None:
        self._stopping.wait(self.delay)


class FaultyService(PausingService):
    """A stand-in told how to fail: its handlers read `mode` ("ok" answers normally, the others
    are each simulator's own; "slow" calls `pause()`)."""

    def __init__(self, *, token: str, host: str, port: int):
        super().__init__(token=token, host=host, port=port)
        self.mode = "ok"

    def fail(self, mode: str, *, delay: float = 5.0) -> None:
        """Answer the following requests in `mode`; `delay` is how long "slow" waits."""
        self.mode = mode
        self.delay = delay

    def recover(self) -> None:
        self.mode = "ok"
        self.delay = 0.0


class LoopbackSimulator(LoopbackService):
    """A provider stand-in: adds an outage switch and answers held back after a message is recorded."""

    def __init__(self, *, token: str, host: str, port: int):
        super().__init__(token=token, host=host, port=port)
        # When set, sending is answered with this HTTP status (a provider outage).
        self.fail_status: int | None = None
        # When cleared, answers wait after the message is recorded: the provider has it but the
        # sender has not heard back yet.
        self._released = threading.Event()
        self._released.set()
        self.held = threading.Event()

    def _wake_waiting_handlers(self) -> None:
        self._released.set()

    # --- switches for tests ---

    def fail(self, status: int = 503) -> None:
        """Answer every message with HTTP `status` until recover()."""
        self.fail_status = status

    def recover(self) -> None:
        self.fail_status = None

    def hold(self) -> None:
        """Record messages but keep the answers back until release(); `held` is set once one waits."""
        self.held.clear()
        self._released.clear()

    def release(self) -> None:
        self._released.set()

    # --- used by the request handlers ---

    def _wait_if_held(self) -> None:
        if not self._released.is_set():
            self.held.set()
            self._released.wait(timeout=60)


class LoopbackServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], *, simulator: LoopbackService):
        self.simulator = simulator
        super().__init__(address, handler)


class LoopbackHandler(BaseHTTPRequestHandler):
    @property
    def loopback(self) -> Any:
        return cast(LoopbackServer, self.server).simulator

    def log_message(self, format: str, *args: Any) -> None:
        # Silence the stdlib's access log on stderr; messages are reported through on_message.
        return

    def _reply(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self._send(status, data, "application/json; charset=utf-8", headers)

    def _send(self, status: int, data: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        # The client may have given up (a timeout test); then there is nothing to answer.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

    def _body(self) -> bytes | None:
        """The request body, or None when it is larger than MAX_BODY_BYTES."""
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            return None
        return self.rfile.read(length) if length > 0 else b""


class JsonApiHandler(LoopbackHandler):
    """A provider's JSON API over GET and POST: counts the request, refuses what `_refusal` names,
    a body over MAX_BODY_BYTES and one that is not JSON, and answers with `_answer`'s JSON (or
    bytes, sent as a file). Subclasses give the provider's error body and the two hooks."""

    protocol_version = "HTTP/1.1"
    # (code, message) of the provider's error body for a body too large and one that is not JSON.
    too_large: tuple[str, str]
    not_json: tuple[str, str]

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def _error(self, code: str, message: str) -> dict[str, Any]:
        raise NotImplementedError

    def _refusal(self, path: str) -> tuple[int, dict[str, Any]] | None:
        """The answer to a request refused whatever its body says (an outage, a wrong token)."""
        raise NotImplementedError

    def _answer(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        raise NotImplementedError

    def _serve(self, method: str) -> None:
        self.loopback._count_request()
        raw = self._body() if method == "POST" else b""
        path = self.path.split("?", 1)[0]
        refusal = self._refusal(path)
        if refusal is not None:
            self._reply(*refusal)
            return
        if raw is None:
            self._reply(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, self._error(*self.too_large))
            return
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            self._reply(HTTPStatus.BAD_REQUEST, self._error(*self.not_json))
            return
        status, answer = self._answer(method, path, body)
        if isinstance(answer, bytes):
            self._send(status, answer, "application/octet-stream")
        else:
            self._reply(status, answer)
