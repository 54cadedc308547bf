"""The whole online journey in a real Chromium, as a person does it: log in through the
national SSO, find birth registration without typing accents, see the form pre-filled from the
population database, add a paper, confirm with the code the SMS gateway received, and see the
dossier code; then only the right agency's reception officer sees the dossier."""

import pytest
from django.http import Http404
from playwright.sync_api import Page, expect

from motcua.accounts.testing import CALLBACK_PATH, provider_settings, register_client
from motcua.core.testing import small_pdf
from motcua.directory.constants import Role
from motcua.directory.services import staff_ensure
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import dossier_get_for_officer
from motcua.dossiers.testing import HUNG_VNEID_CLAIMS, vneid_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _choose_address(page: Page, group: str, detail: str) -> None:
    fieldset = page.get_by_role("group", name=group)
    select = fieldset.get_by_label("Xã, phường")
    if not select.input_value():
        select.select_option(label="Phường Tân Lập")
    detail_input = fieldset.get_by_role("textbox")
    if not detail_input.input_value():
        detail_input.fill(detail)


def test_birth_registration_online_end_to_end(
    page: Page,
    live_server,
    oidc_server,
    settings,
    sms_simulator,
    population_simulator,
    real_birth_registration,
    tmp_path,
) -> None:
    provider = register_client(oidc_server, f"{live_server.url}{CALLBACK_PATH}")
    settings.SOCIALACCOUNT_PROVIDERS = provider_settings(provider)
    provider.put_user("vneid-hung", HUNG_VNEID_CLAIMS)

    # Log in through the national SSO.
    vneid_login(page, live_server.url, sub="vneid-hung")

    # Find the procedure without accents.
    page.get_by_role("searchbox", name="Tìm thủ tục").fill("dang ky khai sinh")
    page.get_by_role("button", name="Tìm kiếm").click()
    page.get_by_role("main").get_by_role("link").filter(has_text="khai sinh").first.click()
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    page.get_by_label("Nơi nộp hồ sơ (xã, phường)").select_option(label="Phường Tân Lập")
    page.get_by_role("button", name="Bắt đầu").click()

    # Page 1 is pre-filled from the SSO profile.
    expect(page.get_by_label("Họ, chữ đệm, tên người yêu cầu")).to_have_value("Nguyễn Văn Hùng")
    expect(page.get_by_label("Số định danh cá nhân của người yêu cầu")).to_have_value("066094000103")
    page.get_by_label("Cha", exact=True).check()
    _choose_address(page, "Nơi cư trú của người yêu cầu", "Số 12 Y Ngông")
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    # Page 2: the child.
    page.get_by_label("Họ, chữ đệm, tên").fill("Nguyễn Gia Bảo")
    expect(page.get_by_role("status").filter(has_text="Đã tự động lưu nháp")).to_be_visible()
    page.get_by_label("Ngày, tháng, năm sinh").fill("2026-11-20")
    page.get_by_label("Nam", exact=True).check()
    page.get_by_label("Dân tộc").fill("Kinh")
    page.get_by_label("Tại cơ sở y tế (bệnh viện, trạm y tế, nhà hộ sinh)").check()
    page.get_by_label("Tên cơ sở y tế nơi sinh").fill("Bệnh viện Đa khoa vùng Tây Nguyên")
    _choose_address(page, "Địa chỉ nơi sinh", "184 Trần Quý Cáp")
    page.get_by_label("Giấy chứng sinh bản giấy").check()
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    # Page 3: the other parent comes from the population database (Hùng's wife).
    page.get_by_label("Khai thông tin", exact=True).check()
    expect(page.get_by_label("Họ, chữ đệm, tên của cha hoặc mẹ còn lại")).to_have_value("Trần Thị Mai")
    _choose_address(page, "Nơi cư trú của cha hoặc mẹ còn lại", "Số 12 Y Ngông")
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    # Papers: the birth certificate.
    scan = tmp_path / "giay-chung-sinh.pdf"
    scan.write_bytes(small_pdf())
    section = page.get_by_role("region", name="Giấy chứng sinh").first
    section.get_by_label("Chọn tệp").set_input_files(str(scan))
    section.get_by_role("button", name="Tải lên").click()
    expect(page.get_by_role("link", name="giay-chung-sinh.pdf")).to_be_visible()
    page.get_by_role("button", name="Tiếp tục").click()

    page.get_by_label("Nhận kết quả trực tuyến").check()
    page.get_by_role("button", name="Tiếp tục").click()

    # Check, declare, submit, confirm with the code the SMS gateway received.
    page.get_by_label("Tôi cam đoan", exact=False).check()
    page.get_by_role("button", name="Nộp hồ sơ").click()
    code = sms_simulator.last_code_for("0912345678")
    assert code, "the SMS gateway received a code"
    page.get_by_label("Mã xác nhận").fill(code)
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_role("heading", name="Đã nộp hồ sơ")).to_be_visible()
    dossier_code = page.get_by_test_id("dossier-code").inner_text()

    dossier = Dossier.objects.get(code=dossier_code)
    assert dossier.form_data["other_parent_full_name"] == "Trần Thị Mai"
    right = staff_ensure(
        actor="t", username="xa", full_name="Cán Bộ Xã", password="x", roles=[(Role.RECEPTION, "UBND-24121", None)]
    )
    wrong = staff_ensure(
        actor="t", username="stp", full_name="Cán Bộ Sở", password="x", roles=[(Role.RECEPTION, "STP", None)]
    )
    assert dossier_get_for_officer(user=right, pk=dossier.pk) == dossier
    with pytest.raises(Http404):
        dossier_get_for_officer(user=wrong, pk=dossier.pk)
