"""The QR code printed on the receipt, read from the rendered PDF as a phone camera would,
opens the public tracking page with the timeline and the steps' marks; without the second
factor no name, ID number, phone or address is in the page; a wrong one says so; with the right
one, the applicant's name is."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from motcua.documents.testing import qr_links_in_pdf
from motcua.dossiers.constants import DeliveryMethod
from motcua.dossiers.reception import dossier_accept
from motcua.dossiers.testing import officer, submitted_dossier

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_receipt_qr_opens_tracking_without_personal_data(page: Page, live_server, hung, birth_version) -> None:
    dossier = submitted_dossier(hung, birth_version, delivery=DeliveryMethod.POST)
    receipt = dossier_accept(dossier=dossier, officer=officer("xa.tn"), revision=dossier.revision)
    with receipt.file.open("rb") as handle:
        links = qr_links_in_pdf(handle.read())
    assert links == [f"{settings.MOTCUA_PUBLIC_URL}/tra-cuu/{dossier.code}/"]

    page.goto(links[0].replace(settings.MOTCUA_PUBLIC_URL, live_server.url))
    expect(page.get_by_role("heading", name=str(dossier.code))).to_be_visible()
    expect(page.get_by_text("Đang xử lý").first).to_be_visible()
    steps = page.get_by_test_id("tracking-steps")
    expect(steps).to_contain_text("Tiếp nhận hồ sơ")
    expect(steps).to_contain_text("Thẩm định, xử lý hồ sơ")
    # The reception step, finished as soon as it began, is early or on time; the open one has no mark.
    expect(steps.locator(".mc-tag")).to_have_count(1)
    expect(steps.locator(".mc-tag")).to_have_text(re.compile("^(Trước hạn|Đúng hạn)$"))
    html = page.content()
    for personal in ("Nguyễn Văn Hùng", "066094000103", "0912345678", "Lê Duẩn"):
        assert personal not in html

    factor = "Xem đầy đủ: số điện thoại hoặc số định danh của người nộp"
    page.get_by_label(factor).fill("0912345679")
    page.get_by_role("button", name="Xem đầy đủ").click()
    expect(page.get_by_role("alert")).to_contain_text("không khớp với số điện thoại hay số định danh")
    expect(page.get_by_label(factor)).to_have_attribute("aria-invalid", "true")
    assert "Nguyễn Văn Hùng" not in page.content()

    page.get_by_label(factor).fill("0912345678")
    page.get_by_role("button", name="Xem đầy đủ").click()
    expect(page.get_by_text("Nguyễn Văn Hùng")).to_be_visible()
