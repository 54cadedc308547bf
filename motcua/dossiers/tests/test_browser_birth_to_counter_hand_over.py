"""The whole path of issue 12's first journey in a real Chromium: a father registers his son's
birth on a phone, trusting the pre-fill, and asks for the result at the counter; the ward's
officers, each on a desktop screen, accept it, examine it, the chairman reads the result as it
will be signed before signing, the clerk issues it, and the one-stop officer hands it over at
the counter to the father, prints the hand-over note, and the dossier ends with the rating
request on the citizen's page."""

import io
import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from motcua.accounts.testing import CALLBACK_PATH, provider_settings, register_client
from motcua.core.testing import small_pdf
from motcua.directory.constants import Role
from motcua.documents.results import result_templates_load
from motcua.dossiers.constants import DeliveryMethod, DossierStatus
from motcua.dossiers.models import Dossier
from motcua.dossiers.testing import (
    HUNG_VNEID_CLAIMS,
    PHONE_VIEWPORT,
    birth_registration_by_father,
    fees_owed,
    officer,
    vneid_login,
)
from motcua.dossiers.tests.test_browser_one_dossier_across_roles import (
    _done,
    _open_from_work_queue,
    _specialist_passes_on,
    _staff_login,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DESKTOP = {"width": 1366, "height": 900}


def _text(pdf: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


def test_father_registers_on_a_phone_and_receives_the_result_at_the_counter(
    page: Page,
    live_server: Any,
    oidc_server: Any,
    settings: Any,
    sms_simulator: Any,
    population_simulator: Any,
    real_birth_registration: None,
    tmp_path: Any,
) -> None:
    templates = json.loads(
        (Path(settings.PACKAGE_DIR) / "documents" / "demo_data" / "result_templates.json").read_text()
    )
    result_templates_load(document={"1.001193": templates["1.001193"]}, actor="test")
    for username, role in (("xa.tn", Role.RECEPTION), ("xa.cv", Role.SPECIALIST), ("xa.ld", Role.LEADER)):
        officer(username, role=role)
    officer("xa.vt", role=Role.CLERK)
    base = live_server.url

    # The citizen, on a phone.
    page.set_viewport_size(PHONE_VIEWPORT)
    provider = register_client(oidc_server, f"{base}{CALLBACK_PATH}")
    settings.SOCIALACCOUNT_PROVIDERS = provider_settings(provider)
    provider.put_user("vneid-hung", HUNG_VNEID_CLAIMS)
    vneid_login(page, base, sub="vneid-hung")
    scan = tmp_path / "giay-chung-sinh.pdf"
    scan.write_bytes(small_pdf())
    dossier = birth_registration_by_father(
        page, base, sms=sms_simulator, scan=scan, delivery="Nhận tại Bộ phận Một cửa"
    )
    assert dossier.delivery_method == DeliveryMethod.COUNTER
    fees_owed(dossier, 8000)  # a copy asked for: owed at submission, as birth registration is paid
    code = str(dossier.code)

    # The one-stop officer takes the fee at the counter (paid at submission), then accepts.
    page.set_viewport_size(DESKTOP)
    _staff_login(page, base, "xa.tn")
    page.get_by_role("link", name="Tiếp nhận", exact=True).click()
    page.get_by_role("link", name=code).click()
    page.get_by_role("button", name="Thu 8.000 đồng tại quầy và lập biên lai").click()
    _done(page, "Đã thu phí, lệ phí và lập biên lai điện tử. Hãy in biên lai cho người nộp.")
    receipt_link = page.get_by_role("link", name=re.compile(r"Biên lai .* số 0000001"))
    expect(receipt_link).to_be_visible()
    page.get_by_role("button", name="Tiếp nhận và lập giấy hẹn").click()
    _done(page, "Đã lập Giấy tiếp nhận hồ sơ và hẹn trả kết quả.")

    _specialist_passes_on(page, base, code)

    # The chairman reads the document as it will be signed, then signs.
    _staff_login(page, base, "xa.ld")
    _open_from_work_queue(page, base, code)
    preview = page.get_by_role("link", name="Xem văn bản kết quả sẽ ký (PDF, bản dự thảo)")
    draft = page.request.get(f"{base}{preview.get_attribute('href')}")
    assert draft.ok and draft.headers["content-type"] == "application/pdf"
    draft_text = _text(draft.body())
    assert "GIẤY KHAI SINH" in draft_text.upper() and "Nguyễn Gia Bảo" in draft_text
    page.get_by_role("button", name="Phê duyệt và ký số").click()
    _done(page, "Đã phê duyệt và ký số kết quả.")

    # The clerk numbers and issues it; the result waits at the counter.
    _staff_login(page, base, "xa.vt")
    _open_from_work_queue(page, base, code)
    page.get_by_role("button", name="Vào sổ và phát hành kết quả").click()
    _done(page, "Đã vào sổ và phát hành kết quả.")
    expect(page.get_by_test_id("dossier-status")).to_contain_text("Đã có kết quả")

    # The father comes to the counter with his identity card.
    _staff_login(page, base, "xa.tn")
    page.goto(f"{base}/can-bo/ho-so/{dossier.pk}/")
    page.get_by_label("Người nộp hồ sơ", exact=True).check()
    expect(page.get_by_label("Họ và tên người nhận")).to_have_value("Nguyễn Văn Hùng")
    page.get_by_label("Số giấy tờ tùy thân").fill("066094000103")
    page.get_by_role("button", name="Trả kết quả và lập biên bản giao nhận").click()
    expect(page.get_by_text("Đã trả kết quả tại quầy. Hãy in biên bản giao nhận để hai bên ký.")).to_be_visible()
    expect(page.get_by_test_id("dossier-status")).to_contain_text("Đã trả kết quả")
    note_href = page.get_by_role("link", name="In biên bản giao nhận kết quả (PDF)").get_attribute("href")
    note = _text(page.request.get(f"{base}{note_href}").body())
    assert code in note and "Nguyễn Văn Hùng" in note and "Giấy khai sinh" in note
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.RETURNED

    # The citizen, back on the phone, is asked to rate.
    page.set_viewport_size(PHONE_VIEWPORT)
    page.context.clear_cookies()
    vneid_login(page, base, sub="vneid-hung")
    page.goto(f"{base}/ho-so/{dossier.pk}/")
    expect(page.get_by_test_id("rating")).to_contain_text("Ông/bà đã nhận kết quả. Xin dành một phút đánh giá")
