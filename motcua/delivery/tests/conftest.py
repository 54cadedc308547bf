from typing import Any

import pytest

from motcua.core.testing import BIRTH, citizen, load_catalog


@pytest.fixture
def birth_version(db: Any) -> Any:
    from motcua.catalog.models import Procedure

    load_catalog(BIRTH)
    return Procedure.objects.get(code="1.001193").current_version


@pytest.fixture
def hung(birth_version: Any) -> Any:
    return citizen(email="hung@example.vn")
