"""Fixtures shared by every app's tests."""

import os
import shutil
from typing import Any

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# next to it are still synchronous and safe. Tests only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Fixtures that start the local simulators of outside services (SMS gateway, population database).
pytest_plugins = [
    "motcua.notifications.testing",
    "motcua.integrations.testing",
    "motcua.accounts.testing",
    "motcua.national.testing",
    "motcua.signatures.testing",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    # Debian's chromium: Playwright's own browser downloads are not reachable here.
    return {
        **browser_type_launch_args,
        "executable_path": shutil.which("chromium"),
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh"}


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Every test starts with an empty shared cache: what one test's catalogue kept (pages,
    search results under a generation its rolled-back transaction never moved on) must not
    answer the next test."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def birth_version(db: Any) -> Any:
    """The demo catalogue's birth registration, current version."""
    from motcua.catalog.models import Procedure
    from motcua.core.testing import BIRTH, load_catalog

    load_catalog(BIRTH)
    return Procedure.objects.get(code="1.001193").current_version


@pytest.fixture
def hung(birth_version: Any) -> Any:
    """Nguyễn Văn Hùng, the demo citizen, with an e-mail address."""
    from motcua.core.testing import citizen

    return citizen(email="hung@example.vn")
