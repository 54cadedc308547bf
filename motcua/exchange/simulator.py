"""A local stand-in for the province's data-exchange platform (LGSP), serving the three services.

It checks every request as the platform would (known system, fresh timestamp, unused nonce,
valid signature over the canonical form) and refuses the rest with 401; it signs its answers.
Behind it, the demo desk answers population and business look-ups and accepts result pushes
(desk.py). Tests start it on a random port; it can be told to fail like a real system does:

    python -m motcua.exchange.simulator --port 8766 --system motcua --secret dev-secret
"""

from __future__ import annotations

import argparse
import contextlib
import json
import threading
from http import HTTPStatus
from typing import Any, cast

from motcua.core.loopback import FaultyService, LoopbackHandler
from motcua.exchange import protocol
from motcua.exchange.desk import ExchangeDesk

# ok: normal answers; down: 500 for everything; slow: answers after `delay` seconds;
# garbage: a signed 200 whose body is not JSON; unsigned: a correct answer without a signature.
PLATFORM_ID = "LGSP-DAKLAK"


class ExchangeSimulator(FaultyService):
    name = "exchange simulator"

    def __init__(
        self,
        *,
        systems: dict[str, str],
        platform_id: str = PLATFORM_ID,
        desk: ExchangeDesk | None = None,
        port: int = 0,
    ):
        super().__init__(token="", host="127.0.0.1", port=port)
        self.systems = dict(systems)  # calling system id → shared secret
        self.platform_id = platform_id
        self.desk = desk or ExchangeDesk()
        self.nonces = protocol.NonceRegister()
        # Why requests were refused, in order ("bad_signature", "replayed", …), for tests.
        self.refusals: list[str] = []

    def check(self, *, path: str, headers: Any, body: bytes) -> str | None:
        """Why the request must be refused, or None when it is authentic, fresh and new."""
        system = headers.get(protocol.SYSTEM) or ""
        service = headers.get(protocol.SERVICE) or ""
        timestamp = headers.get(protocol.TIMESTAMP) or ""
        nonce = headers.get(protocol.NONCE) or ""
        secret = self.systems.get(system)
        if secret is None:
            return "unknown_system"
        if path != f"/{service}":
            return "wrong_service"
        canonical = protocol.request_canonical(
            path=path, system=system, service=service, timestamp=timestamp, nonce=nonce, body=body
        )
        if not protocol.verify(secret, canonical, headers.get(protocol.SIGNATURE)):
            return "bad_signature"
        if not protocol.is_fresh(timestamp):
            return "stale"
        # Checked last, so a forged request cannot burn a genuine nonce.
        if not self.nonces.first_use(system, nonce):
            return "replayed"
        return None


class _Handler(LoopbackHandler):
    protocol_version = "HTTP/1.1"

    @property
    def simulator(self) -> ExchangeSimulator:
        return cast(ExchangeSimulator, self.loopback)

    def do_POST(self) -> None:
        simulator = self.simulator
        simulator._count_request()
        body = self._body()
        if body is None:
            self._answer(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": "too_large"})
            return
        refusal = simulator.check(path=self.path, headers=self.headers, body=body)
        if refusal is not None:
            simulator.refusals.append(refusal)
            self._answer(HTTPStatus.UNAUTHORIZED, {"error": refusal})
            return
        mode = simulator.mode
        if mode == "down":
            self._answer(HTTPStatus.INTERNAL_SERVER_ERROR, {"error": "internal_error"})
            return
        if mode == "slow":
            simulator.pause()
        if mode == "garbage":
            self._answer(HTTPStatus.OK, b"<html>502 Bad Gateway</html>{")
            return
        try:
            request = json.loads(body)
        except ValueError:
            request = None
        status, answer = simulator.desk.answer(self.headers.get(protocol.SERVICE, ""), request)
        self._answer(status, answer, signed=mode != "unsigned")

    def _answer(self, status: int, answer: dict[str, Any] | bytes, *, signed: bool = True) -> None:
        data = answer if isinstance(answer, bytes) else json.dumps(answer, ensure_ascii=False).encode()
        headers: dict[str, str] = {}
        system = self.headers.get(protocol.SYSTEM) or ""
        secret = self.simulator.systems.get(system)
        if signed and secret is not None:
            headers = protocol.signed_response_headers(
                secret=secret,
                status=status,
                system=self.simulator.platform_id,
                service=self.headers.get(protocol.SERVICE) or "",
                request_nonce=self.headers.get(protocol.NONCE) or "",
                body=data,
            )
        self._send(status, data, "application/json; charset=utf-8", headers)


ExchangeSimulator.handler = _Handler


def main() -> None:  # pragma: no cover - manual use
    parser = argparse.ArgumentParser(description="Serve the exchange platform's demo services over HTTP.")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--system", default="motcua")
    parser.add_argument("--secret", required=True)
    args = parser.parse_args()
    with ExchangeSimulator(systems={args.system: args.secret}, port=args.port) as simulator:
        print(f"Exchange simulator ({PLATFORM_ID}) on {simulator.url} for system {args.system!r}; Ctrl+C to stop")
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":  # pragma: no cover
    main()
