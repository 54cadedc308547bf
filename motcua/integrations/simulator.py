"""A local stand-in for the population service, speaking the protocol in docs/population-registry.md.

Tests start it on a random port of 127.0.0.1 and point the "http" plugin at it; it can be told
to fail the ways a real service fails. It also runs on its own for manual trials:

    python -m motcua.integrations.simulator --port 8765 --token dev-token
"""

import argparse
import hmac
import json
import threading
from collections.abc import Mapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal

from motcua.integrations.population import PopulationRecord, load_demo_records, record_to_json

# ok: normal answers; down: 503 for everything; slow: answers after `delay` seconds;
# invalid_json: 200 with a body that is not JSON; wrong_shape: 200 with JSON missing fields.
Mode = Literal["ok", "down", "slow", "invalid_json", "wrong_shape"]
PREFIX = "/citizens/"


class PopulationSimulator:
    def __init__(
        self,
        records: Mapping[str, PopulationRecord] | None = None,
        *,
        token: str = "simulator-token",  # noqa: S107 - a local test double, not a credential
    ):
        self.records = dict(load_demo_records() if records is None else records)
        self.token = token
        self.mode: Mode = "ok"
        self.delay = 0.0
        # Requests answered, so tests can check how often the service was asked.
        self.request_count = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("The population simulator is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def fail(self, mode: Mode, *, delay: float = 5.0) -> None:
        """Answer the following requests in `mode`; `delay` is the pause of "slow"."""
        self.mode = mode
        self.delay = delay

    def recover(self) -> None:
        self.mode = "ok"
        self.delay = 0.0

    def start(self) -> "PopulationSimulator":
        if self._server is not None:
            return self
        self._stopping.clear()
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        server.daemon_threads = True
        self._server = server
        # A short poll interval so stop() (and each test's teardown) returns quickly.
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="population-simulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._stopping.set()  # wakes handlers pausing in "slow" mode
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> "PopulationSimulator":
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    # Called by the request handler.

    def _count(self) -> None:
        with self._lock:
            self.request_count += 1

    def _authorised(self, header: str | None) -> bool:
        expected = f"Bearer {self.token}"
        return header is not None and hmac.compare_digest(header.encode(), expected.encode())

    def _pause(self) -> None:
        self._stopping.wait(self.delay)


def _handler_for(simulator: PopulationSimulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            simulator._count()
            mode = simulator.mode
            if not simulator._authorised(self.headers.get("Authorization")):
                self._json(HTTPStatus.UNAUTHORIZED, {"error": "unauthorized"})
                return
            if mode == "down":
                self._json(HTTPStatus.SERVICE_UNAVAILABLE, {"error": "unavailable"})
                return
            if mode == "slow":
                simulator._pause()
            if not self.path.startswith(PREFIX):
                self._json(HTTPStatus.NOT_FOUND, {"error": "not_found"})
                return
            id_number = self.path.removeprefix(PREFIX).split("?", 1)[0]
            record = simulator.records.get(id_number)
            if record is None:
                self._json(HTTPStatus.NOT_FOUND, {"error": "not_found"})
            elif mode == "invalid_json":
                self._send(HTTPStatus.OK, b"<html>502 Bad Gateway</html>{", "application/json")
            elif mode == "wrong_shape":
                self._json(HTTPStatus.OK, {"id_number": id_number, "data": "?"})
            else:
                self._json(HTTPStatus.OK, record_to_json(record))

        def _json(self, status: HTTPStatus, payload: Any) -> None:
            self._send(status, json.dumps(payload, ensure_ascii=False).encode(), "application/json; charset=utf-8")

        def _send(self, status: HTTPStatus, body: bytes, content_type: str) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test); nothing to answer

        def log_message(self, format: str, *args: Any) -> None:
            # The default writes each request line, ID number included, to stderr.
            pass

    return Handler


def main() -> None:  # pragma: no cover - manual use
    parser = argparse.ArgumentParser(description="Serve the demo population records over HTTP.")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--token", default="simulator-token")
    args = parser.parse_args()
    simulator = PopulationSimulator(token=args.token)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), _handler_for(simulator))
    print(f"Population simulator on http://127.0.0.1:{args.port} (token {args.token!r}); Ctrl+C to stop")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        server.server_close()


if __name__ == "__main__":  # pragma: no cover
    main()
