"""The failure the issue reproduced, in a real browser: a form left open in one tab while the
person logs in on another is refused by the CSRF check; the page says why in Vietnamese, keeps the
typed text, asks for the password again, and one click sends it (Chromium's own Origin header
proves the post came from our page)."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Tab-Cu-Mat-Khau-2026"


def test_stale_tab_form_is_kept_and_resent(page: Page, live_server) -> None:
    get_user_model().objects.create_user(username="canbo.haitab", password=PASSWORD, is_staff=True)
    login_url = f"{live_server.url}/can-bo/dang-nhap/"

    stale = page
    stale.goto(login_url)
    stale.locator('input[name="username"]').fill("canbo.haitab")

    other = page.context.new_page()  # the other tab logs in: Django rotates the CSRF secret
    other.goto(login_url)
    other.locator('input[name="username"]').fill("canbo.haitab")
    other.locator('input[name="password"]').fill(PASSWORD)
    other.get_by_role("button", name="Đăng nhập").click()
    expect(other).to_have_url(re.compile(r"/can-bo/$"))

    stale.locator('input[name="password"]').fill(PASSWORD)
    stale.get_by_role("button", name="Đăng nhập").click()
    expect(stale.get_by_role("heading", name="Biểu mẫu chưa được gửi")).to_be_visible()
    expect(stale.get_by_text("đăng xuất rồi đăng nhập lại ở một thẻ (tab) khác")).to_be_visible()
    expect(stale.get_by_label("username")).to_have_value("canbo.haitab")
    assert PASSWORD not in stale.content()

    stale.get_by_label("Nhập lại mật khẩu (password)").fill(PASSWORD)
    stale.get_by_role("button", name="Gửi lại").click()
    expect(stale).to_have_url(re.compile(r"/can-bo/$"))
