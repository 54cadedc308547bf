"""A local stand-in for the population service, speaking the protocol in docs/population-registry.md.

Tests start it on a random port of 127.0.0.1 and point the "http" plugin at it; it can be told
to fail the ways a real service fails. It also runs on its own for manual trials:

    python -m motcua.integrations.simulator --port 8765 --token dev-token
"""

from __future__ import annotations

import argparse
import contextlib
import hmac
import threading
from collections.abc import Mapping
from http import HTTPStatus
from typing import cast

from motcua.core.loopback import FaultyService, LoopbackHandler
from motcua.integrations.population import PopulationRecord, load_demo_records, record_to_json

# ok: normal answers; down: 503 for everything; slow: answers after `delay` seconds;
# invalid_json: 200 with a body that is not JSON; wrong_shape: 200 with JSON missing fields.
PREFIX = "/citizens/"


class PopulationSimulator(FaultyService):
    name = "population simulator"

    def __init__(
        self,
        records: Mapping[str, PopulationRecord] | None = None,
        *,
        token: str = "simulator-token",  # noqa: S107 - a local test double, not a credential
        port: int = 0,
    ):
        super().__init__(token=token, host="127.0.0.1", port=port)
        self.records = dict(load_demo_records() if records is None else records)

    @property
    def request_count(self) -> int:
        """Requests answered, so tests can check how often the service was asked."""
        return self.requests

    # Called by the request handler.

    def _authorised(self, header: str | None) -> bool:
        expected = f"Bearer {self.token}"
        return header is not None and hmac.compare_digest(header.encode(), expected.encode())


class _Handler(LoopbackHandler):
    protocol_version = "HTTP/1.1"

    @property
    def simulator(self) -> PopulationSimulator:
        return cast(PopulationSimulator, self.loopback)

    def do_GET(self) -> None:
        simulator = self.simulator
        simulator._count_request()
        mode = simulator.mode
        if not simulator._authorised(self.headers.get("Authorization")):
            self._reply(HTTPStatus.UNAUTHORIZED, {"error": "unauthorized"})
            return
        if mode == "down":
            self._reply(HTTPStatus.SERVICE_UNAVAILABLE, {"error": "unavailable"})
            return
        if mode == "slow":
            simulator.pause()
        if not self.path.startswith(PREFIX):
            self._reply(HTTPStatus.NOT_FOUND, {"error": "not_found"})
            return
        id_number = self.path.removeprefix(PREFIX).split("?", 1)[0]
        record = simulator.records.get(id_number)
        if record is None:
            self._reply(HTTPStatus.NOT_FOUND, {"error": "not_found"})
        elif mode == "invalid_json":
            self._send(HTTPStatus.OK, b"<html>502 Bad Gateway</html>{", "application/json")
        elif mode == "wrong_shape":
            self._reply(HTTPStatus.OK, {"id_number": id_number, "data": "?"})
        else:
            self._reply(HTTPStatus.OK, record_to_json(record))


PopulationSimulator.handler = _Handler


def main() -> None:  # pragma: no cover - manual use
    parser = argparse.ArgumentParser(description="Serve the demo population records over HTTP.")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--token", default="simulator-token")
    args = parser.parse_args()
    with PopulationSimulator(token=args.token, port=args.port) as simulator:
        print(f"Population simulator on {simulator.url} (token {args.token!r}); Ctrl+C to stop")
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":  # pragma: no cover
    main()
