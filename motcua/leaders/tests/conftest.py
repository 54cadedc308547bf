from typing import Any

import pytest
from playwright.sync_api import Page, expect

from motcua.catalog.models import Procedure
from motcua.core.testing import BIRTH, citizen, load_catalog
from motcua.directory.constants import Role
from motcua.dossiers.testing import officer
from motcua.leaders.testing import data_set_made


@pytest.fixture
def ward_leader_on_a_phone(page: Page, live_server: Any) -> list[str]:
    """The leaders' data set, and the ward leader logged in on a 375 px screen; the messages of
    what the site's CSP refused, which the test asserts empty at its end."""
    load_catalog(BIRTH)
    data_set_made(applicant=citizen(), version=Procedure.objects.get(code="1.001193").current_version)
    officer("xa.ld", role=Role.LEADER)
    refused: list[str] = []
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{live_server.url}/can-bo/dang-nhap/")
    page.locator("#id_username").fill("xa.ld")
    page.locator("#id_password").fill("x")
    page.locator("main").get_by_role("button").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Xin chào")
    return refused
