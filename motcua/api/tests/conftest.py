from typing import Any

import pytest
from django.core.cache import cache

from motcua.api.models import ApiClient
from motcua.api.testing import registered_client
from motcua.directory.constants import Role


@pytest.fixture
def ward_system(hung: Any) -> ApiClient:
    """The ward's one-stop software: receives dossiers and handles them as a specialist."""
    cache.clear()  # the token endpoint's rate limit
    return registered_client("mot-cua-phuong", roles=(Role.RECEPTION, Role.SPECIALIST))


@pytest.fixture
def department_system(hung: Any) -> ApiClient:
    """The Department of Justice's software: another agency, with every role there."""
    roles = (Role.RECEPTION, Role.SPECIALIST, Role.LEADER, Role.CLERK)
    return registered_client("so-tu-phap", agency="STP", roles=roles)
