"""In a real Chromium: the ward's one-stop officer (desktop screen) hands a processed result
over at the counter to an authorised person and prints the hand-over note; for a result asked
by post, records the shipment, which the citizen's tracking page (phone screen) shows as on
its way, then records its delivery: the dossier ends "Đã trả kết quả" on both pages."""

import io
import unicodedata
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from motcua.core.testing import citizen
from motcua.delivery.testing import processed_dossier
from motcua.dossiers.constants import DeliveryMethod, DossierStatus
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.test_browser_one_dossier_across_roles import _staff_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 375, "height": 740}


@pytest.fixture
def version(db: Any) -> Any:
    from motcua.catalog.models import Procedure
    from motcua.core.testing import BIRTH, load_catalog

    load_catalog(BIRTH)
    return Procedure.objects.get(code="1.001193").current_version


def _open_dossier(page: Page, base: str, dossier: Dossier) -> None:
    page.set_viewport_size(DESKTOP)
    _staff_login(page, base, "xa.tn")
    page.goto(f"{base}/can-bo/ho-so/{dossier.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(str(dossier.code))


def test_hand_over_at_the_counter_and_print_the_note(page: Page, live_server: Any, version: Any) -> None:
    dossier = processed_dossier(citizen(), version)
    base = live_server.url
    _open_dossier(page, base, dossier)
    expect(page.get_by_test_id("dossier-status")).to_contain_text("Đã có kết quả")
    page.get_by_label("Người được ủy quyền").check()
    page.get_by_label("Họ và tên người nhận").fill("Trần Thị Mai")
    page.get_by_label("Quan hệ với người nộp, giấy ủy quyền").fill("Vợ; giấy ủy quyền ngày 01/12/2026")
    page.get_by_label("Giấy tờ tùy thân xuất trình").select_option(label="Hộ chiếu")
    page.get_by_label("Số giấy tờ tùy thân").fill("C1234567")
    page.get_by_role("button", name="Trả kết quả và lập biên bản giao nhận").click()
    expect(page.get_by_text("Đã trả kết quả tại quầy. Hãy in biên bản giao nhận để hai bên ký.")).to_be_visible()
    expect(page.get_by_test_id("dossier-status")).to_contain_text("Đã trả kết quả")
    expect(page.get_by_test_id("hand-over-summary")).to_contain_text("Hộ chiếu ********.")
    expect(page.get_by_test_id("hand-over-summary")).not_to_contain_text("C1234567")

    href = page.get_by_role("link", name="In biên bản giao nhận kết quả (PDF)").get_attribute("href")
    note = page.request.get(f"{base}{href}")
    assert note.ok and note.headers["content-type"] == "application/pdf"
    text = unicodedata.normalize("NFC", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(note.body())).pages))
    text = " ".join(text.split())
    assert str(dossier.code) in text and "Trần Thị Mai" in text and "Hộ chiếu số C1234567" in text
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.RETURNED


def test_post_shipment_then_delivery_shown_to_the_citizen(
    page: Page, browser: Browser, live_server: Any, version: Any
) -> None:
    dossier = processed_dossier(citizen(), version, delivery=DeliveryMethod.POST)
    base, code = live_server.url, str(dossier.code)
    _open_dossier(page, base, dossier)
    expect(page.get_by_test_id("shipment-address")).to_have_text("Số 1 Lê Duẩn, phường Tân Lập")
    expect(page.get_by_label("Đơn vị bưu chính")).to_have_value("Bưu điện (VNPost)")
    page.get_by_label("Số hiệu bưu gửi").fill("EB123456789VN")
    page.get_by_role("button", name="Ghi nhận đã gửi").click()
    expect(page.get_by_text("Đã ghi nhận gửi kết quả qua bưu chính.")).to_be_visible()
    expect(page.get_by_test_id("delivery-state")).to_have_text("Đang gửi qua bưu chính")
    expect(page.get_by_test_id("dossier-status")).to_contain_text("Đã có kết quả")

    phone = browser.new_page(viewport=PHONE, locale="vi-VN")
    phone.goto(f"{base}/tra-cuu/?ma={code}")
    expect(phone.get_by_test_id("tracking-shipment")).to_contain_text("Đang gửi qua bưu chính")
    expect(phone.locator("main")).not_to_contain_text("EB123456789VN")

    page.get_by_label("Người nhận bưu gửi").fill("Nguyễn Văn Hùng")
    page.get_by_role("button", name="Xác nhận đã giao, kết thúc hồ sơ").click()
    expect(page.get_by_text("Đã xác nhận bưu chính giao kết quả; hồ sơ đã trả kết quả.")).to_be_visible()
    expect(page.get_by_test_id("dossier-status")).to_contain_text("Đã trả kết quả")

    phone.goto(f"{base}/tra-cuu/?ma={code}")
    expect(phone.get_by_text("Đã trả kết quả", exact=True).first).to_be_visible()
    expect(phone.get_by_test_id("tracking-shipment")).to_contain_text("Đã giao qua bưu chính")
    expect(phone.locator("main")).not_to_contain_text("Nguyễn Văn Hùng")
    phone.close()
