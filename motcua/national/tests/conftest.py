from collections.abc import Iterator
from typing import Any

import pytest

from motcua.directory.constants import Role
from motcua.dossiers.testing import officer
from motcua.national.portal import HttpNationalPortal, InProcessPortal
from motcua.national.simulator import NationalPortalSimulator, PortalState

CONTRACT_TOKEN = "contract-token"


@pytest.fixture(params=["in_process", "http"])
def portal(request: Any) -> Iterator[tuple[Any, PortalState]]:
    """The contract tests' portal: (adapter, its state), in process and over HTTP."""
    state = PortalState()
    if request.param == "in_process":
        yield InProcessPortal(state), state
        return
    with NationalPortalSimulator(state, token=CONTRACT_TOKEN, delay=2) as simulator:
        yield HttpNationalPortal(base_url=simulator.url, token=CONTRACT_TOKEN, timeout=1), state


@pytest.fixture
def ward_staff(birth_version: Any) -> dict[str, Any]:
    """The ward's one-stop officer, specialist, leader and clerk (birth registration loaded)."""
    return {
        "reception": officer("xa.tn"),
        "specialist": officer("xa.cv", role=Role.SPECIALIST),
        "leader": officer("xa.ld", role=Role.LEADER),
        "clerk": officer("xa.vt", role=Role.CLERK),
    }
