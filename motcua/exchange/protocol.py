"""The signed message format of the exchange, shared by the adapter and the simulator.

Modelled on the province's data-exchange platform (LGSP) and the national one (NDXP): every
request names the calling system, the service, a timestamp and a one-time nonce, and carries an
HMAC-SHA256 signature over a canonical form of all of them and of the body's SHA-256; every
response is signed the same way by the platform, and names the request's nonce, so an answer
cannot be replayed to another question or forged by anything between us and the platform.
Details and the reasons for a shared key rather than certificates: docs/data-exchange.md.

Standard library only: the simulator uses it too.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Mapping

from motcua.core.validators import unix_seconds

VERSION = "LGSP-HMAC-SHA256-1"
SYSTEM = "X-LGSP-System"
SERVICE = "X-LGSP-Service"
TIMESTAMP = "X-LGSP-Timestamp"
NONCE = "X-LGSP-Nonce"
SIGNATURE = "X-LGSP-Signature"
# Requests and responses older or newer than this (seconds) are refused.
MAX_SKEW_SECONDS = 300


def _body_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def request_canonical(*, path: str, system: str, service: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    """One line per element, in a fixed order: what the signature of a request covers."""
    return "\n".join((VERSION, "request", "POST", path, system, service, timestamp, nonce, _body_digest(body))).encode()


def response_canonical(
    *, status: int, system: str, service: str, timestamp: str, request_nonce: str, body: bytes
) -> bytes:
    """What the signature of a response covers, bound to the request by its nonce."""
    return "\n".join(
        (VERSION, "response", str(status), system, service, timestamp, request_nonce, _body_digest(body))
    ).encode()


def sign(secret: str, canonical: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), canonical, hashlib.sha256).digest()).decode()


def verify(secret: str, canonical: bytes, signature: str | None) -> bool:
    return bool(signature) and hmac.compare_digest(sign(secret, canonical), str(signature))


def new_nonce() -> str:
    return secrets.token_hex(16)


def now_timestamp() -> str:
    return str(int(time.time()))


def is_fresh(timestamp: str | None, *, now: float | None = None, max_skew: int = MAX_SKEW_SECONDS) -> bool:
    seconds = unix_seconds(timestamp)
    if seconds is None:
        return False
    return abs((time.time() if now is None else now) - seconds) <= max_skew


def signed_request_headers(*, secret: str, path: str, system: str, service: str, body: bytes) -> dict[str, str]:
    timestamp, nonce = now_timestamp(), new_nonce()
    canonical = request_canonical(
        path=path, system=system, service=service, timestamp=timestamp, nonce=nonce, body=body
    )
    return {
        SYSTEM: system,
        SERVICE: service,
        TIMESTAMP: timestamp,
        NONCE: nonce,
        SIGNATURE: sign(secret, canonical),
        "Content-Type": "application/json; charset=utf-8",
    }


def signed_response_headers(
    *, secret: str, status: int, system: str, service: str, request_nonce: str, body: bytes
) -> dict[str, str]:
    timestamp = now_timestamp()
    canonical = response_canonical(
        status=status, system=system, service=service, timestamp=timestamp, request_nonce=request_nonce, body=body
    )
    return {
        SYSTEM: system,
        SERVICE: service,
        TIMESTAMP: timestamp,
        NONCE: request_nonce,
        SIGNATURE: sign(secret, canonical),
    }


def response_is_authentic(
    *,
    secret: str,
    status: int,
    platform: str,
    service: str,
    request_nonce: str,
    headers: Mapping[str, str],
    body: bytes,
) -> bool:
    """Whether a response comes from the platform, for this request, recently."""
    timestamp = headers.get(TIMESTAMP)
    if headers.get(SYSTEM) != platform or headers.get(SERVICE) != service or headers.get(NONCE) != request_nonce:
        return False
    if not is_fresh(timestamp):
        return False
    canonical = response_canonical(
        status=status,
        system=platform,
        service=service,
        timestamp=str(timestamp),
        request_nonce=request_nonce,
        body=body,
    )
    return verify(secret, canonical, headers.get(SIGNATURE))


class NonceRegister:
    """Nonces seen within the freshness window: a second request with one is a replay."""

    def __init__(self, *, max_skew: int = MAX_SKEW_SECONDS):
        self.max_skew = max_skew
        self._seen: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def first_use(self, system: str, nonce: str) -> bool:
        now = time.monotonic()
        with self._lock:
            # Forget what has aged out: a request that old is refused for its timestamp anyway.
            for key in [key for key, at in self._seen.items() if now - at > 2 * self.max_skew]:
                del self._seen[key]
            if (system, nonce) in self._seen:
                return False
            self._seen[(system, nonce)] = now
            return True
