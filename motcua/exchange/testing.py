"""Test fixtures for the exchange platform, for any app's tests.

Import them into a conftest.py:

    from motcua.exchange.testing import exchange_simulator  # noqa: F401

`exchange_simulator`: a running ExchangeSimulator with the "lgsp" exchange plugin (and the "lgsp"
population plugin) pointed at it, a 2-second timeout; `exchange_simulator.fail("down")` etc.
"""

from collections.abc import Iterator
from typing import Any

import pytest

from motcua.exchange.simulator import PLATFORM_ID, ExchangeSimulator

SYSTEM_ID = "MOTCUA-TEST"
SECRET = "test-exchange-secret-0123456789abcdef"  # noqa: S105 - shared with the local simulator only
TIMEOUT_SECONDS = 2


@pytest.fixture
def exchange_simulator(settings: Any) -> Iterator[ExchangeSimulator]:
    with ExchangeSimulator(systems={SYSTEM_ID: SECRET}) as simulator:
        settings.MOTCUA_PLUGINS = {**settings.MOTCUA_PLUGINS, "exchange": "lgsp", "population": "lgsp"}
        settings.MOTCUA_EXCHANGE_URL = simulator.url
        settings.MOTCUA_EXCHANGE_SYSTEM_ID = SYSTEM_ID
        settings.MOTCUA_EXCHANGE_PLATFORM_ID = PLATFORM_ID
        settings.MOTCUA_EXCHANGE_SECRET = SECRET
        settings.MOTCUA_HTTP_TIMEOUT_SECONDS = TIMEOUT_SECONDS
        yield simulator
