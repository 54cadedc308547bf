"""What every call to an outside provider's HTTP API does when no answer comes back."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

import httpx


@contextlib.contextmanager
def unanswered_raises(
    *, timed_out: Exception, unreachable: Exception, log: logging.Logger, call: str, timeout: float
) -> Iterator[None]:
    """Around an httpx call: no answer within `timeout` seconds raises `timed_out`, any other
    transport failure (refused connection, broken exchange) raises `unreachable`; each is logged
    as a warning naming `call` (say "Carrier POST /orders") and never the URL.

    `from None`: httpx's exception text may carry the URL, and with it a looked-up ID number or
    a token, into whatever logs the raised error's traceback."""
    try:
        yield
    except httpx.TimeoutException:
        log.warning("%s: no answer within %ss", call, timeout)
        raise timed_out from None
    except httpx.HTTPError as error:
        log.warning("%s failed: %s", call, type(error).__name__)
        raise unreachable from None
