"""In a real Chromium: the ward's reception officer (desktop) looks a business up by tax code
from the dossier's page, choosing why; the citizen (375 px phone) finds on their account page who
sent their data where, for which dossier and why, without the page scrolling sideways."""

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from motcua.core.testing import CITIZEN_PASSWORD
from motcua.dossiers.tests.test_browser_one_dossier_across_roles import _staff_login

from .conftest import received_dossier, result_issued

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_looks_up_a_business_and_the_citizen_sees_the_log(
    page: Page, live_server: Any, versions: Any, hung: Any, reception: Any
) -> None:
    base = live_server.url
    business = received_dossier(version=versions["business"], applicant=hung, officer=reception)
    birth = received_dossier(version=versions["birth"], applicant=hung, officer=reception)
    result_issued(birth)  # pushes the result to the civil-status system after commit (demo plugin)

    page.set_viewport_size({"width": 1366, "height": 900})
    _staff_login(page, base, "tiepnhan")
    page.goto(f"{base}/can-bo/ho-so/{business.pk}/")
    page.get_by_role("link", name="Tra cứu đăng ký doanh nghiệp theo mã số thuế").click()
    page.get_by_label("Mã số thuế").fill("6001234563")
    page.get_by_label("Mục đích tra cứu").select_option(label="Kiểm tra thông tin khi tiếp nhận hồ sơ")
    page.get_by_role("button", name="Tra cứu").click()
    expect(page.get_by_role("alert")).to_contain_text("sai chữ số kiểm tra")
    page.get_by_label("Mã số thuế").fill("6001234562")
    page.get_by_role("button", name="Tra cứu").click()
    expect(page.get_by_text("CÔNG TY TNHH CÀ PHÊ BUÔN ĐÔN XANH")).to_be_visible()

    page.context.clear_cookies()
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{base}/tai-khoan/dang-nhap/")
    page.get_by_label("Số điện thoại").fill("0912345678")
    page.get_by_label("Mật khẩu").fill(CITIZEN_PASSWORD)
    page.get_by_role("button", name="Đăng nhập bằng số điện thoại").click()
    page.goto(f"{base}/tai-khoan/")
    section = page.get_by_role("region", name="Ai đã tra cứu thông tin của tôi")
    expect(section).to_contain_text("Cập nhật kết quả vào Cơ sở dữ liệu hộ tịch")
    expect(section).to_contain_text(str(birth.code))
    expect(section).to_contain_text("Cập nhật kết quả giải quyết vào cơ sở dữ liệu chuyên ngành")
    expect(section).not_to_contain_text("CÀ PHÊ")  # a business look-up is not the citizen's data
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
