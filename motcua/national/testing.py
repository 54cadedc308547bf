"""Test fixtures for the national portal, for any app's tests.

* `national_demo`: the "demo" plugin (the portal state in this process), emptied; gives the state.
* `national_simulator`: a running `NationalPortalSimulator` with the "http" plugin pointed at it
  (URL, token, a 1-second timeout); `national_simulator.state.fail("down")` etc.
"""

from collections.abc import Iterator
from typing import Any

import pytest

from motcua.national.portal import DEMO_STATE
from motcua.national.simulator import NationalPortalSimulator, PortalState

SIMULATOR_TOKEN = "test-national-token"  # noqa: S105 - shared with the local simulator only
SIMULATOR_TIMEOUT_SECONDS = 1


@pytest.fixture
def national_demo(settings: Any) -> Iterator[PortalState]:
    settings.MOTCUA_PLUGINS = {**settings.MOTCUA_PLUGINS, "national": "demo"}
    DEMO_STATE.reset()
    yield DEMO_STATE
    DEMO_STATE.reset()


@pytest.fixture
def national_simulator(settings: Any) -> Iterator[NationalPortalSimulator]:
    with NationalPortalSimulator(token=SIMULATOR_TOKEN, delay=SIMULATOR_TIMEOUT_SECONDS + 1) as simulator:
        settings.MOTCUA_PLUGINS = {**settings.MOTCUA_PLUGINS, "national": "http"}
        settings.MOTCUA_NATIONAL_HTTP_URL = simulator.url
        settings.MOTCUA_NATIONAL_HTTP_TOKEN = SIMULATOR_TOKEN
        settings.MOTCUA_HTTP_TIMEOUT_SECONDS = SIMULATOR_TIMEOUT_SECONDS
        yield simulator
