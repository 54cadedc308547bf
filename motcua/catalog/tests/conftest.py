import pytest

from motcua.core.testing import directory_minimal


@pytest.fixture
def agencies(db):  # type: ignore[no-untyped-def]
    return directory_minimal()
