"""The postal journey of issue 15 in a real Chromium: at the post office the clerk submits a
birth registration for a citizen who reads out the SMS code, asking for the result by post; the
clerk hands the papers over with a printed record, the ward's one-stop officer confirms it and
accepts the dossier; once processed, the officer sends the result through the carrier (order,
tracking number and charge from the carrier simulator), whose signed webhooks travel over HTTP
to the live server: delivered with a proof, the dossier ends "Đã trả kết quả", which the
citizen's tracking page on a phone shows with the shipment's events and no personal data."""

import io
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect
from pypdf import PdfReader

from motcua.core.testing import citizen
from motcua.delivery.carrier_simulator import CarrierSimulator
from motcua.delivery.constants import ShipmentStatus
from motcua.delivery.models import Shipment
from motcua.delivery.testing import accepted_dossier_processed, ward_staff
from motcua.dossiers.constants import Channel, DeliveryMethod, DossierStatus
from motcua.dossiers.models import Dossier
from motcua.dossiers.testing import PHONE_VIEWPORT, hand_in
from motcua.dossiers.tests.conftest import real_birth_registration  # noqa: F401 - a fixture
from motcua.dossiers.tests.test_browser_one_dossier_across_roles import ANSWERS, _done, _staff_login
from motcua.notifications.models import DemoSmsMessage
from motcua.notifications.testing import sms_demo  # noqa: F401 - a fixture
from motcua.postal.models import PaperHandOver
from motcua.postal.testing import post_office, postal_clerk

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("sms_demo", "real_birth_registration"),
]
DESKTOP: ViewportSize = {"width": 1366, "height": 900}
ADDRESS = "Số 1 Lê Duẩn, phường Tân Lập"


@pytest.fixture
def carrier(settings: Any, live_server: Any) -> Iterator[CarrierSimulator]:
    """The "http" carrier plugin against its simulator, whose webhooks go to the live server."""
    with CarrierSimulator(token="test-carrier-token", secret="test-carrier-secret") as simulator:
        settings.MOTCUA_PLUGINS = {**settings.MOTCUA_PLUGINS, "carrier": "http"}
        settings.MOTCUA_CARRIER_HTTP_URL = simulator.url
        settings.MOTCUA_CARRIER_HTTP_TOKEN = "test-carrier-token"
        settings.MOTCUA_CARRIER_WEBHOOK_SECRET = "test-carrier-secret"
        settings.MOTCUA_CARRIER_SENDER_PHONE = "02053871234"
        settings.MOTCUA_HTTP_TIMEOUT_SECONDS = 5
        settings.MOTCUA_PUBLIC_URL = live_server.url
        yield simulator


def _pdf_text(data: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


def test_submitted_at_the_post_office_returned_by_post(
    page: Page, browser: Browser, live_server: Any, carrier: CarrierSimulator
) -> None:
    hung = citizen()
    office = post_office()
    clerk = postal_clerk("bd.tanlap", office)
    clerk.set_password("x")
    clerk.save(update_fields=["password"])
    ward_staff()
    base = live_server.url
    page.set_viewport_size(DESKTOP)

    # 1. The post office clerk submits for Hùng, who reads out the code his phone received.
    _staff_login(page, base, "bd.tanlap")
    page.goto(f"{base}/can-bo/nop-thay/")
    page.get_by_label("Thủ tục", exact=True).select_option(value="1.001193")
    page.get_by_label("Số định danh cá nhân của công dân").fill("066094000103")
    page.get_by_label("Họ và tên", exact=True).fill("Nguyễn Văn Hùng")
    page.get_by_label("Số điện thoại (nhận mã xác nhận)").fill("0912345678")
    page.get_by_label("Xã, phường nơi nộp (thủ tục cấp xã)").select_option(value="24121")
    page.get_by_role("button", name="Gửi mã xác nhận cho công dân").click()
    expect(page.get_by_text("Đã gửi mã xác nhận tới số 091****678.", exact=False)).to_be_visible()
    sms = DemoSmsMessage.objects.filter(phone="0912345678").latest("created_at").text
    code = re.search(r"Mã xác nhận của bạn là (\d{6})", sms).group(1)  # type: ignore[union-attr]
    page.get_by_label("Mã xác nhận công dân đọc cho bạn").fill(code)
    page.get_by_role("button", name="Bắt đầu nhập hồ sơ").click()
    page.wait_for_url(re.compile(r"/ho-so/\d+/"))
    started = Dossier.objects.get(applicant=hung)
    assert started.channel == Channel.POST_OFFICE and started.submitted_by == clerk
    # What the clerk types into the e-form with the citizen: its pages are driven in a browser by
    # test_browser_birth_to_counter_hand_over, repeating them here adds nothing to this journey.
    dossier = hand_in(started, clerk, delivery=DeliveryMethod.POST, answers=ANSWERS)
    code = str(dossier.code)

    # 2. The clerk makes the hand-over record on the office's page and prints it.
    page.goto(f"{base}/can-bo/buu-dien/{office.code}/")
    group = page.get_by_test_id("hand-over-group")
    expect(group).to_contain_text(code)
    group.get_by_role("button", name="Lập biên bản bàn giao").click()
    expect(page.get_by_text(re.compile(r"Đã lập biên bản bàn giao số .+\. Hãy in để hai bên ký\."))).to_be_visible()
    expect(page.get_by_test_id("record-state")).to_have_text("Đang chuyển, chờ Bộ phận Một cửa xác nhận")
    href = page.get_by_role("link", name="In biên bản bàn giao (PDF)").get_attribute("href")
    pdf = page.request.get(f"{base}{href}")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    record_text = _pdf_text(pdf.body())
    assert code in record_text and office.name in record_text and "Nhân viên bd.tanlap" in record_text

    # The ward's one-stop officer confirms the papers arrived, then accepts the dossier.
    _staff_login(page, base, "xa.tn")
    page.goto(f"{base}/can-bo/buu-dien/ho-so-dang-chuyen/")
    page.get_by_role("link", name=PaperHandOver.objects.get().label).click()
    page.get_by_role("button", name="Xác nhận đã nhận hồ sơ").click()
    _done(page, "Đã xác nhận nhận hồ sơ theo biên bản")
    expect(page.get_by_test_id("record-state")).to_contain_text("Đã xác nhận bởi")
    page.goto(f"{base}/can-bo/ho-so/{dossier.pk}/")
    # The carrier's postage, quoted at hand-in, is paid at the counter before acceptance.
    owed = int(Dossier.objects.get(pk=dossier.pk).fees_due)
    assert owed > 0
    page.get_by_role("button", name=f"Thu {owed:,} đồng tại quầy và lập biên lai".replace(",", ".")).click()
    _done(page, "Đã thu phí, lệ phí và lập biên lai điện tử.")
    page.get_by_role("button", name="Tiếp nhận và lập giấy hẹn").click()
    _done(page, "Đã lập Giấy tiếp nhận hồ sơ và hẹn trả kết quả.")

    # 3. Processing, through the services.
    accepted_dossier_processed(dossier)

    # 4. The officer sends the result by post: the carrier's order gives number and charge.
    page.goto(f"{base}/can-bo/ho-so/{dossier.pk}/")
    expect(page.get_by_test_id("dossier-status")).to_contain_text("Đã có kết quả")
    expect(page.get_by_test_id("shipment-address")).to_have_text(ADDRESS)
    page.get_by_role("button", name="Tạo đơn gửi qua bưu chính").click()
    shipment = Shipment.objects.get(dossier=dossier)
    order = carrier.orders[shipment.carrier_reference]
    assert shipment.tracking_number == order.tracking_number and shipment.charge
    panel = page.get_by_test_id("delivery-panel")
    expect(panel).to_contain_text(shipment.tracking_number)
    expect(panel).to_contain_text(f"Cước bưu chính {shipment.tracking_number}")

    # 5. The carrier's webhooks, pushed over HTTP to the live server.
    carrier.advance(shipment.carrier_reference, "in_transit", push=True)
    carrier.advance(shipment.carrier_reference, "delivered", push=True)
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.DELIVERED
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.RETURNED
    page.reload()
    expect(page.get_by_test_id("dossier-status")).to_contain_text("Đã trả kết quả")
    proof = page.get_by_test_id("shipment-proof").get_by_role("link")
    expect(proof).to_contain_text("Xem bằng chứng giao của bưu chính")
    image = page.request.get(f"{base}{proof.get_attribute('href')}")
    assert image.ok and image.body()[:8] == b"\x89PNG\r\n\x1a\n"

    phone = browser.new_page(viewport=PHONE_VIEWPORT, locale="vi-VN")
    phone.goto(f"{base}/tra-cuu/?ma={code}")
    expect(phone.get_by_text("Đã trả kết quả", exact=True).first).to_be_visible()
    events = phone.get_by_test_id("tracking-shipment-events")
    expect(events).to_contain_text("Đang vận chuyển")
    expect(events).to_contain_text("Đã giao")
    main = phone.locator("main")
    for private in (shipment.tracking_number, shipment.delivered_to, "Nguyễn Văn Hùng", ADDRESS):
        expect(main).not_to_contain_text(private)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
    phone.close()
