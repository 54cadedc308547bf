"""Key journeys in a real headless Chromium: a citizen finds a procedure without typing
accents and reads what to bring; an officer logs in and sees their roles."""

import pytest
from playwright.sync_api import Page, expect

from motcua.core.testing import BIRTH, BIRTH_WITH_PARENTS, DEATH, load_catalog
from motcua.directory.constants import Role
from motcua.directory.services import staff_ensure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalog() -> None:
    load_catalog(BIRTH_WITH_PARENTS, BIRTH, DEATH)


def test_citizen_finds_birth_registration_without_accents(page: Page, live_server, catalog) -> None:
    page.goto(live_server.url + "/")
    page.get_by_role("searchbox", name="Tìm thủ tục").fill("dang ky khai sinh")
    page.get_by_role("button", name="Tìm kiếm").click()
    results = page.get_by_role("main").get_by_role("link", name="Thủ tục đăng ký khai sinh")
    expect(results.first).to_have_text("Thủ tục đăng ký khai sinh")
    results.first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thủ tục đăng ký khai sinh")
    expect(page.get_by_role("cell", name="Tờ khai đăng ký khai sinh")).to_be_visible()
    expect(page.get_by_text("60/2014/QH13")).to_be_visible()


def test_portal_fits_a_small_phone(page: Page, live_server, catalog) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(live_server.url + "/thu-tuc/1.001193/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, "no sideways scrolling on a 320 px phone"


def test_officer_logs_in_and_sees_their_role(page: Page, live_server, catalog) -> None:
    staff_ensure(
        actor="test",
        username="tiepnhan",
        full_name="Lê Thị Tiếp",
        password="demo@2026",
        roles=[(Role.RECEPTION, "TTPVHCC", None)],
    )
    page.goto(live_server.url + "/can-bo/")
    page.get_by_label("Tên đăng nhập").fill("tiepnhan")
    page.get_by_label("Mật khẩu").fill("sai mật khẩu")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    page.get_by_label("Mật khẩu").fill("demo@2026")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Xin chào, Lê Thị Tiếp")
    expect(page.get_by_role("cell", name="Cán bộ tiếp nhận (một cửa)")).to_be_visible()


def test_design_system_and_font_are_served_by_the_app(page: Page, live_server, catalog) -> None:
    """The stylesheet and the Vietnamese font load from our own origin, never a CDN."""
    requested: list[str] = []
    page.on("requestfinished", lambda request: requested.append(request.url))
    page.goto(live_server.url + "/thu-tuc/1.001193/")
    page.evaluate("document.fonts.ready")
    assert any(url.endswith(".css") for url in requested)
    assert all(url.startswith(live_server.url) for url in requested)
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "Be Vietnam Pro" in font
    assert page.evaluate("document.fonts.check('16px \"Be Vietnam Pro\"', 'Đăng ký khai sinh')")
