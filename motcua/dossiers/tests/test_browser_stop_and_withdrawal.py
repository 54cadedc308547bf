"""A stop of processing and a withdrawal after acceptance in a real Chromium: the ward's leader
(desktop) stops a dossier with its reason and legal ground and the public tracking page shows it
stopped; a citizen on a 375 px phone asks to withdraw an accepted dossier, the leader grants it,
and the citizen's dossier page shows it withdrawn with the stop notice."""

import io
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from motcua.core.testing import CITIZEN_PASSWORD
from motcua.directory.constants import Role
from motcua.dossiers.constants import DossierStatus, SlipKind
from motcua.dossiers.models import Dossier
from motcua.dossiers.reception import dossier_accept
from motcua.dossiers.testing import officer, submitted_dossier

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _accepted(hung: Any, version: Any) -> Dossier:
    dossier = submitted_dossier(hung, version)
    dossier_accept(dossier=dossier, officer=officer("xa.tn"), revision=dossier.revision)
    return Dossier.objects.get(pk=dossier.pk)


def _leader_opens(page: Page, base: str, dossier: Dossier) -> None:
    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{base}/can-bo/dang-nhap/")
    page.locator("#id_username").fill("xa.ld")
    page.locator("#id_password").fill("x")
    page.locator("main").get_by_role("button").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Xin chào")
    page.goto(f"{base}/can-bo/ho-so/{dossier.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(str(dossier.code))


def test_the_leader_stops_and_the_tracking_page_shows_it(page: Page, live_server: Any, hung, birth_version) -> None:
    dossier = _accepted(hung, birth_version)
    officer("xa.ld", role=Role.LEADER)
    base = live_server.url
    _leader_opens(page, base, dossier)

    page.get_by_text("Dừng giải quyết hồ sơ", exact=True).click()
    page.get_by_label("Lý do dừng giải quyết").fill("Người nộp đã chết trước khi có kết quả giải quyết")
    page.get_by_label("Căn cứ pháp lý").fill("Khoản 3 Điều 20 Nghị định số 118/2025/NĐ-CP")
    page.get_by_role("button", name="Dừng giải quyết và lập thông báo").click()
    expect(page.get_by_text("Đã dừng giải quyết hồ sơ và lập Thông báo dừng giải quyết hồ sơ.")).to_be_visible()
    expect(page.get_by_test_id("dossier-status")).to_contain_text("Dừng xử lý")
    notice = page.get_by_role("link", name="Thông báo dừng giải quyết hồ sơ")
    pdf = page.request.get(f"{base}{notice.get_attribute('href')}").body()
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in text and "Khoản 3 Điều 20" in text
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.STOPPED

    page.context.clear_cookies()
    page.goto(f"{base}/tra-cuu/{dossier.code}/")
    expect(page.get_by_role("heading", name=str(dossier.code))).to_be_visible()
    expect(page.get_by_text("Dừng xử lý").first).to_be_visible()
    expect(page.get_by_text("Cơ quan đã dừng giải quyết hồ sơ")).to_be_visible()


def test_the_citizen_withdraws_on_a_phone_and_the_leader_grants_it(
    page: Page, live_server: Any, hung, birth_version
) -> None:
    dossier = _accepted(hung, birth_version)
    officer("xa.ld", role=Role.LEADER)
    base = live_server.url

    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{base}/tai-khoan/dang-nhap/")
    page.get_by_label("Số điện thoại").fill("0912345678")
    page.get_by_label("Mật khẩu").fill(CITIZEN_PASSWORD)
    page.get_by_role("button", name="Đăng nhập bằng số điện thoại").click()
    page.goto(f"{base}/ho-so/{dossier.pk}/")
    page.get_by_text("Đề nghị rút hồ sơ", exact=True).click()
    page.get_by_role("button", name="Gửi đề nghị rút hồ sơ").click()
    expect(page.get_by_text("Hãy ghi rõ lý do rút hồ sơ")).to_be_visible()  # an empty reason
    page.get_by_text("Đề nghị rút hồ sơ", exact=True).click()
    page.get_by_label("Lý do rút hồ sơ").fill("Gia đình đã chuyển nơi cư trú ra tỉnh khác")
    page.get_by_role("button", name="Gửi đề nghị rút hồ sơ").click()
    expect(page.get_by_text("Đã gửi đề nghị rút hồ sơ")).to_be_visible()
    expect(page.get_by_test_id("withdrawal-request")).to_contain_text("Chờ cơ quan xem xét")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    _leader_opens(page, base, dossier)
    pending = page.get_by_test_id("withdrawal-pending")
    expect(pending).to_contain_text("Gia đình đã chuyển nơi cư trú ra tỉnh khác")
    pending.get_by_role("button", name="Đồng ý cho rút hồ sơ").click()
    expect(page.get_by_text("Đã đồng ý cho rút hồ sơ.")).to_be_visible()
    expect(page.get_by_test_id("dossier-status")).to_contain_text("Đã rút")

    page.context.clear_cookies()
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{base}/tai-khoan/dang-nhap/")
    page.get_by_label("Số điện thoại").fill("0912345678")
    page.get_by_label("Mật khẩu").fill(CITIZEN_PASSWORD)
    page.get_by_role("button", name="Đăng nhập bằng số điện thoại").click()
    page.goto(f"{base}/ho-so/{dossier.pk}/")
    expect(page.get_by_test_id("withdrawal-request")).to_contain_text("Đồng ý cho rút hồ sơ")
    expect(page.get_by_role("link", name="Thông báo dừng giải quyết hồ sơ (PDF)")).to_be_visible()
    expect(page.get_by_text("Đã rút").first).to_be_visible()
    withdrawn = Dossier.objects.get(pk=dossier.pk)
    assert withdrawn.status == DossierStatus.WITHDRAWN
    assert withdrawn.slips.filter(kind=SlipKind.STOP_NOTICE).count() == 1
