"""The process diagram in the admin is readable on the desktop screens administrators use:
a step's name runs along its box, not one letter per line."""

import pytest
from django.conf import settings
from playwright.sync_api import Page

from motcua.accounts.models import User
from motcua.catalog.models import Procedure
from motcua.catalog.processes import process_current
from motcua.core.testing import BIRTH, load_catalog

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 1920])
def test_step_names_are_readable_at_desktop_widths(page: Page, live_server, client, width: int) -> None:
    load_catalog(BIRTH)
    version = Procedure.objects.get(code=BIRTH["code"]).current_version
    assert version is not None
    process = process_current(version=version)
    client.force_login(User.objects.create_superuser(username="qt", password="x", email="qt@example.vn"))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/quan-tri/catalog/process/{process.pk}/change/")
    names = page.locator(".mc-process__name")
    assert names.count() >= 3
    # The line height in pixels ("normal" is about 1.2 times the font size).
    line = names.first.evaluate("e => 1.2 * parseFloat(getComputedStyle(e).fontSize)")
    for index in range(names.count()):
        box = names.nth(index).bounding_box()
        assert box is not None
        text = names.nth(index).inner_text()
        # Was 50 px wide and one letter per line: now at least a short word's width, three lines at most.
        assert box["width"] >= 120, (text, box)
        assert box["height"] <= 3.5 * line, (text, box)
    # The facts under it (kind, role, agency, time) were one character wide as well.
    widths = page.locator(".mc-process__facts dd").evaluate_all("items => items.map(e => e.offsetWidth)")
    assert widths and min(widths) >= 100, widths
