"""A province supervisor opens the Decision 766 index on a phone, with the demo province's
directory (122 agencies, about a hundred communes): the rankings come a page at a time, each
indicator's formula opens on demand, and every indicator of the scorecard is on the page."""

import datetime
import json
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from motcua.core.management.commands.load_demo import DEMO_DIRECTORY
from motcua.core.periods import Period
from motcua.directory.constants import Role
from motcua.directory.models import Agency
from motcua.directory.services import directory_load
from motcua.dossiers.testing import officer
from motcua.service_index.constants import ScopeKind
from motcua.service_index.selectors import Scope, communes, scorecard
from motcua.service_index.views import RANKING_PAGE_SIZE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NOVEMBER = "tu=2026-11-01&den=2026-11-30"
# With every ranking row stacked as a card (224 of them) the page was about 117,000 px tall. Now,
# measured at 375 px: header and filters ~1,000 px, the 15 indicators with their formulas closed
# ~4,700 px, two ranking pages of 20 one-line rows ~4,300 px, the indicators needing outside data
# ~1,400 px: about 12,000 px, and no longer growing with the number of agencies and communes.
MAX_HEIGHT = 15_000


def test_the_index_is_short_on_a_phone_and_keeps_the_whole_scorecard(page: Page, live_server: Any) -> None:
    directory_load(actor="test", document=json.loads(DEMO_DIRECTORY.read_text()))
    agencies = Agency.objects.filter(is_active=True).count()
    assert agencies + communes().count() > 200
    officer("tinh.gs", agency=None, role=Role.SUPERVISOR)  # type: ignore[arg-type]
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{live_server.url}/can-bo/dang-nhap/")
    page.locator("#id_username").fill("tinh.gs")
    page.locator("#id_password").fill("x")
    page.locator("main").get_by_role("button").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Xin chào")

    page.goto(f"{live_server.url}/can-bo/chi-so-766/?{NOVEMBER}")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < MAX_HEIGHT, height
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    # The whole scorecard: every computed indicator, its numbers visible, its formula a tap away.
    card = scorecard(scope=Scope(ScopeKind.PROVINCE), period=_november())
    codes = [line.indicator.code for group in card.groups for line in group.lines]
    assert len(codes) >= 15
    for code in codes:
        row = page.get_by_test_id(f"indicator-{code}")
        expect(row.get_by_test_id("points")).to_be_visible()
    formula = page.get_by_test_id(f"indicator-{codes[0]}").get_by_test_id("formula")
    expect(formula.locator(".mc-details__text")).to_be_hidden()
    formula.locator("summary").click()
    expect(formula.locator(".mc-details__text")).to_be_visible()

    # The ranking: a page of agencies, the next page goes on from there.
    ranking = page.get_by_test_id("ranking-agencies")
    assert ranking.locator("tbody tr").count() == RANKING_PAGE_SIZE
    pages = page.get_by_test_id("ranking-agencies-pages")
    expect(pages).to_contain_text(f"Hạng 1–{RANKING_PAGE_SIZE} trong tổng số {agencies}")
    pages.get_by_role("link", name="Trang sau").click()
    expect(page.get_by_test_id("ranking-agencies-pages")).to_contain_text(f"Hạng {RANKING_PAGE_SIZE + 1}–")
    first = page.get_by_test_id("ranking-agencies").locator("tbody tr").first.locator("td").first
    assert first.inner_text() == str(RANKING_PAGE_SIZE + 1)
    expect(page.get_by_test_id("ranking-communes").locator("tbody tr").first.locator("td").first).to_have_text("1")


def _november() -> Period:
    return Period(start=datetime.date(2026, 11, 1), end=datetime.date(2026, 11, 30))
