"""A ward leader opens the dashboard on a phone: the charts are drawn by the vendored Chart.js
under the site's CSP, and a number opens the list of that many dossiers, in a real Chromium."""

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_leader_on_a_phone_sees_charts_and_opens_a_number(
    page: Page, live_server: Any, ward_leader_on_a_phone: list[str]
) -> None:
    refused = ward_leader_on_a_phone

    page.goto(f"{live_server.url}/can-bo/lanh-dao/?tu=2026-11-02&den=2026-11-13&theo=tuan")
    canvas = page.locator("canvas[data-chart]").first
    expect(canvas).to_be_visible()
    assert page.evaluate("typeof window.Chart") == "function"
    assert page.evaluate("Object.keys(window.Chart.instances).length") == 2
    assert canvas.bounding_box()["width"] <= 375  # type: ignore[index]
    assert not refused

    late = page.get_by_test_id("panels").locator('a[href*="chi-so=finished_late"]')
    number = int(late.inner_text())
    assert number > 0
    late.click()
    expect(page).to_have_url(re.compile(r"chi-so=finished_late"))
    expect(page.get_by_test_id("list-total")).to_contain_text(f"{number} hồ sơ")
    assert page.get_by_test_id("drill-down").locator("tbody tr").count() == number
