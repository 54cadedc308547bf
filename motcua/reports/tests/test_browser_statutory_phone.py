"""A ward leader reads the statutory report on a phone: the table stacks, every number carries its
group's and column's name, and nothing runs off the screen; on a desktop it stays a table with its
two header rows."""

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from motcua.catalog.models import Procedure
from motcua.core.testing import BIRTH, citizen, load_catalog
from motcua.directory.constants import Role
from motcua.dossiers.testing import officer
from motcua.leaders.testing import data_set_made
from motcua.reports.statutory_counts import statutory_counts_rebuild

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
REPORT = "/can-bo/bao-cao-giai-quyet-tthc/?tu=2026-11-01&den=2026-11-30"
# What the pseudo-element shows before a cell's number (its data-label), "none" when hidden.
LABEL = "cell => getComputedStyle(cell, '::before').content"


def test_the_statutory_table_is_labelled_and_fits_on_a_phone(page: Page, live_server: Any) -> None:
    load_catalog(BIRTH)
    data_set_made(applicant=citizen(), version=Procedure.objects.get(code="1.001193").current_version)
    statutory_counts_rebuild()
    officer("xa.ld", role=Role.LEADER)
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{live_server.url}/can-bo/dang-nhap/")
    page.locator("#id_username").fill("xa.ld")
    page.locator("#id_password").fill("x")
    page.locator("main").get_by_role("button").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Xin chào")

    page.goto(live_server.url + REPORT)
    total = page.get_by_test_id("statutory-total")
    expect(total).to_be_visible()
    cells = total.locator("td")
    assert cells.count() == 13
    assert cells.nth(0).evaluate(LABEL) == '"Số hồ sơ nhận giải quyết: Tổng số"'
    assert cells.nth(7).evaluate(LABEL) == '"Số hồ sơ đã giải quyết: Quá hạn"'
    assert cells.nth(12).evaluate(LABEL) == '"Số hồ sơ rút, dừng trong kỳ: Dừng giải quyết"'
    received = cells.nth(0)
    assert int(received.inner_text().split()[-1]) > 0  # the number, beside its label
    for index in range(13):
        box = cells.nth(index).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
    # The stacked cards stand for the header rows, which stay in the page for screen readers.
    assert page.locator("thead th[scope=colgroup]").count() == 4
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    page.set_viewport_size({"width": 1280, "height": 900})
    expect(page.locator("thead th[scope=colgroup]").first).to_be_visible()
    assert received.evaluate(LABEL) == "none"
