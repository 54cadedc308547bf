"""A leader types part of a unit's name on a phone: the suggestions arrive under the site's CSP,
and the one chosen becomes the dashboard's scope, in a real Chromium."""

from typing import Any

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_typed_scope_is_suggested_and_shown(page: Page, live_server: Any, ward_leader_on_a_phone: list[str]) -> None:
    refused = ward_leader_on_a_phone

    page.goto(f"{live_server.url}/can-bo/lanh-dao/?tu=2026-11-02&den=2026-11-13")
    field = page.locator("#pham-vi-tim")
    expect(field).to_have_value("UBND phường Tân Lập")
    field.fill("tư pháp")
    suggestion = page.locator("#pham-vi-goi-y option")
    expect(suggestion).to_have_count(1)
    assert suggestion.get_attribute("value") == "Phòng Tư pháp – UBND phường Tân Lập"
    field.fill("Phòng Tư pháp – UBND phường Tân Lập")
    page.get_by_test_id("leaders-filters").get_by_role("button", name="Xem").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bảng điều hành: Phòng Tư pháp – UBND phường Tân Lập")
    expect(page.locator("#pham-vi-tim")).to_have_value("Phòng Tư pháp – UBND phường Tân Lập")
    assert not refused
