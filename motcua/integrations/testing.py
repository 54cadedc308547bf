"""Test fixtures for the population database, for any app's tests.

Import them into a conftest.py:

    from motcua.integrations.testing import population_demo, population_simulator  # noqa: F401

* `population_demo`: the "demo" plugin in force; gives the demo records keyed by ID number.
* `population_simulator`: a running `PopulationSimulator` with the "http" plugin pointed at it
  (URL, token and a 2-second timeout in settings); `population_simulator.fail("down")` etc.
"""

from collections.abc import Iterator
from typing import Any

import pytest

from motcua.integrations.population import PopulationRecord, load_demo_records
from motcua.integrations.simulator import PopulationSimulator

SIMULATOR_TOKEN = "test-population-token"  # noqa: S105 - shared with the local simulator only
SIMULATOR_TIMEOUT_SECONDS = 2

# Demo citizens the tests (and demos) lean on; see demo_data/population.json.
HUNG = "066094000103"  # Nguyễn Văn Hùng: father, mother and spouse (Trần Thị Mai) registered
MAI = "066196000104"  # Trần Thị Mai: expecting; mother registered, father not
TAM = "066090000401"  # Lê Văn Tâm: father of a newborn (Lê Gia Bảo)
H_LAN = "066181000202"  # H'Lan Niê (Ê Đê): two children
UNKNOWN = "066099000999"  # well-formed, in nobody's record


@pytest.fixture
def population_demo(settings: Any) -> dict[str, PopulationRecord]:
    settings.MOTCUA_PLUGINS = {**settings.MOTCUA_PLUGINS, "population": "demo"}
    return load_demo_records()


@pytest.fixture
def population_simulator(settings: Any) -> Iterator[PopulationSimulator]:
    with PopulationSimulator(token=SIMULATOR_TOKEN) as simulator:
        settings.MOTCUA_PLUGINS = {**settings.MOTCUA_PLUGINS, "population": "http"}
        settings.MOTCUA_POPULATION_HTTP_URL = simulator.url
        settings.MOTCUA_POPULATION_HTTP_TOKEN = SIMULATOR_TOKEN
        settings.MOTCUA_HTTP_TIMEOUT_SECONDS = SIMULATOR_TIMEOUT_SECONDS
        yield simulator
