"""An officer at a desktop finds a dossier from the header's "Tra cứu hồ sơ" by the applicant's
name typed without accents, then opens it, in a real Chromium."""

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from motcua.catalog.models import Procedure
from motcua.core.testing import BIRTH, citizen, load_catalog
from motcua.dossiers.testing import officer, submitted_dossier

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_without_accents_and_open_the_dossier(page: Page, live_server: Any) -> None:
    load_catalog(BIRTH)
    dossier = submitted_dossier(citizen(), Procedure.objects.get(code="1.001193").current_version)
    officer("xa.tracuu")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/can-bo/dang-nhap/")
    page.locator("#id_username").fill("xa.tracuu")
    page.locator("#id_password").fill("x")
    page.locator("main").get_by_role("button").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Xin chào")

    page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Tra cứu hồ sơ").click()
    page.get_by_label("Mã hồ sơ, tên người nộp, số định danh hoặc số điện thoại").fill("nguyen van hung")
    page.get_by_role("button", name="Tìm").click()
    expect(page.get_by_role("cell", name="Nguyễn Văn Hùng")).to_be_visible()
    assert dossier.code
    page.get_by_role("link", name=dossier.code).click()
    expect(page).to_have_url(re.compile(rf"/can-bo/ho-so/{dossier.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(dossier.code)
