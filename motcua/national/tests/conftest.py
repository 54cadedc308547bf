from typing import Any

import pytest

from motcua.directory.constants import Role
from motcua.dossiers.testing import officer


@pytest.fixture
def ward_staff(birth_version: Any) -> dict[str, Any]:
    """The ward's one-stop officer, specialist, leader and clerk (birth registration loaded)."""
    return {
        "reception": officer("xa.tn"),
        "specialist": officer("xa.cv", role=Role.SPECIALIST),
        "leader": officer("xa.ld", role=Role.LEADER),
        "clerk": officer("xa.vt", role=Role.CLERK),
    }
