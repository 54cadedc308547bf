"""The platform (simulator) refuses a request whose body was changed after signing, one sent a
second time, one too old, and one from a system it does not know; it answers none of them."""

import json
import time

import httpx

from motcua.exchange import protocol
from motcua.exchange.constants import ExchangeService
from motcua.exchange.testing import SECRET, SYSTEM_ID

SERVICE = ExchangeService.BUSINESS_LOOKUP


def _signed(body: bytes, *, system: str = SYSTEM_ID) -> dict[str, str]:
    return protocol.signed_request_headers(secret=SECRET, path=f"/{SERVICE}", system=system, service=SERVICE, body=body)


def _post(simulator, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(f"{simulator.url}/{SERVICE}", content=body, headers=headers, timeout=2)


def test_tampered_body_refused(exchange_simulator):
    """Signed for one tax code, sent with another: 401, and no business data in the answer."""
    headers = _signed(json.dumps({"tax_code": "6001234562"}).encode())
    response = _post(exchange_simulator, json.dumps({"tax_code": "6007654323"}).encode(), headers)
    assert response.status_code == 401 and response.json() == {"error": "bad_signature"}


def test_replayed_request_refused(exchange_simulator):
    """The same signed request twice: the first is answered, the second refused as a replay."""
    body = json.dumps({"tax_code": "6001234562"}).encode()
    headers = _signed(body)
    assert _post(exchange_simulator, body, headers).status_code == 200
    again = _post(exchange_simulator, body, headers)
    assert again.status_code == 401 and again.json() == {"error": "replayed"}
    assert exchange_simulator.refusals == ["replayed"]


def test_old_request_refused(exchange_simulator):
    """A request signed ten minutes ago (beyond the five-minute window) is stale."""
    body = b'{"tax_code":"6001234562"}'
    timestamp, nonce = str(int(time.time()) - 600), protocol.new_nonce()
    canonical = protocol.request_canonical(
        path=f"/{SERVICE}", system=SYSTEM_ID, service=SERVICE, timestamp=timestamp, nonce=nonce, body=body
    )
    headers = {
        protocol.SYSTEM: SYSTEM_ID,
        protocol.SERVICE: SERVICE,
        protocol.TIMESTAMP: timestamp,
        protocol.NONCE: nonce,
        protocol.SIGNATURE: protocol.sign(SECRET, canonical),
    }
    response = _post(exchange_simulator, body, headers)
    assert response.status_code == 401 and response.json() == {"error": "stale"}


def test_unknown_system_and_unsigned_request_refused(exchange_simulator):
    body = b'{"tax_code":"6001234562"}'
    assert _post(exchange_simulator, body, _signed(body, system="SOMEONE-ELSE")).json() == {"error": "unknown_system"}
    unsigned = {k: v for k, v in _signed(body).items() if k != protocol.SIGNATURE}
    assert _post(exchange_simulator, body, unsigned).json() == {"error": "bad_signature"}
