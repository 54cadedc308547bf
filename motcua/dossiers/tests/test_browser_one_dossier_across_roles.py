"""One dossier followed across roles in a real Chromium, as the people would do it: the ward's
reception officer accepts it and sees the working-day appointment on the receipt, the specialist
asks the Department of Justice for its opinion, the department answers, the specialist passes
it on, the chairman approves and signs, the clerk issues, and the citizen downloads the result,
whose QR link says the signature is valid, while a tampered copy is reported invalid."""

import datetime
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from motcua.core.testing import CITIZEN_PASSWORD, citizen
from motcua.core.workdays import get_calendar
from motcua.directory.constants import Role
from motcua.documents.results import result_templates_load
from motcua.dossiers.constants import DeliveryMethod, DossierStatus
from motcua.dossiers.models import Dossier
from motcua.dossiers.testing import fees_owed, officer, submitted_dossier

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANSWERS = {
    "applicant_full_name": "Nguyễn Văn Hùng",
    "applicant_id_number": "066094000103",
    "applicant_relationship": "cha",
    "child_full_name": "Nguyễn Minh Khôi",
    "child_birth_date": "2026-11-20",
    "child_gender": "nam",
    "child_ethnicity": "Ê Đê",
    "child_nationality": "Việt Nam",
    "birth_place_kind": "co_so_y_te",
    "birth_facility": "Bệnh viện Đa khoa vùng Tây Nguyên",
    "other_parent_status": "khai",
    "other_parent_full_name": "Trần Thị Mai",
}


def _pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def _staff_login(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/can-bo/dang-nhap/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill("x")
    page.locator("main").get_by_role("button").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Xin chào")


def _open_from_work_queue(page: Page, base: str, code: str) -> None:
    page.goto(f"{base}/can-bo/viec/")
    page.get_by_role("link", name=code).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(code)


def _done(page: Page, message: str) -> None:
    expect(page.get_by_text(message)).to_be_visible()


def _specialist_passes_on(page: Page, base: str, code: str) -> None:
    """The ward's specialist writes the draft opinion and passes the dossier on."""
    _staff_login(page, base, "xa.cv")
    _open_from_work_queue(page, base, code)
    page.get_by_label("Ý kiến thẩm định").fill("Hồ sơ đầy đủ, đủ điều kiện đăng ký khai sinh.")
    page.get_by_role("button", name="Hoàn thành và chuyển bước tiếp theo").click()
    _done(page, "Đã hoàn thành bước và chuyển hồ sơ.")


def test_one_dossier_across_roles_to_a_verified_result(
    page: Page, live_server: Any, real_birth_registration: None, tmp_path: Path
) -> None:
    from motcua.catalog.models import Procedure

    version = Procedure.objects.get(code="1.001193").current_version
    templates = json.loads(
        (Path(settings.PACKAGE_DIR) / "documents" / "demo_data" / "result_templates.json").read_text()
    )
    result_templates_load(document={"1.001193": templates["1.001193"]}, actor="test")
    officer("xa.tn")
    officer("xa.cv", role=Role.SPECIALIST)
    chairman = officer("xa.ld", role=Role.LEADER)
    officer("xa.vt", role=Role.CLERK)
    officer("stp.cv", agency="STP", role=Role.SPECIALIST)
    hung = citizen()
    dossier = submitted_dossier(hung, version, delivery=DeliveryMethod.ONLINE)
    Dossier.objects.filter(pk=dossier.pk).update(form_data=ANSWERS)
    fees_owed(dossier, 8000)  # a copy asked for: owed at submission, as birth registration is paid
    code, base = str(dossier.code), live_server.url

    # The one-stop officer accepts; the appointment, on screen and slip, follows the procedure's
    # same-day rule: the day's closing if received before 15:00, else the next working day's.
    _staff_login(page, base, "xa.tn")
    page.get_by_role("link", name="Tiếp nhận", exact=True).click()
    page.get_by_role("link", name=code).click()
    # The copy is paid at the counter first: the procedure is paid at submission.
    page.get_by_role("button", name="Tiếp nhận và lập giấy hẹn").click()
    expect(page.get_by_role("alert")).to_contain_text("chưa thể tiếp nhận cho tới khi người nộp đã nộp đủ")
    page.get_by_role("button", name="Thu 8.000 đồng tại quầy và lập biên lai").click()
    _done(page, "Đã thu phí, lệ phí và lập biên lai điện tử. Hãy in biên lai cho người nộp.")
    page.get_by_role("button", name="Tiếp nhận và lập giấy hẹn").click()
    _done(page, "Đã lập Giấy tiếp nhận hồ sơ và hẹn trả kết quả.")
    received = Dossier.objects.get(pk=dossier.pk)
    assert version.same_day and version.reception_cutoff == datetime.time(15)
    expected_due = get_calendar().same_day_due(received.received_at, cutoff=version.reception_cutoff)  # type: ignore[arg-type]
    assert received.due_at == expected_due
    due_text = timezone.localtime(expected_due).strftime("%d/%m/%Y")
    expect(page.get_by_test_id("due-at")).to_contain_text(due_text)
    slip_href = page.get_by_role("link", name="Giấy tiếp nhận hồ sơ và hẹn trả kết quả").get_attribute("href")
    slip = page.request.get(f"{base}{slip_href}")
    assert due_text in _pdf_text(slip.body()) and code in _pdf_text(slip.body())

    # The ward's specialist asks the Department of Justice for an opinion.
    _staff_login(page, base, "xa.cv")
    _open_from_work_queue(page, base, code)
    page.get_by_text("Xin ý kiến cơ quan khác").click()
    page.get_by_label("Cơ quan được xin ý kiến").select_option(label="Sở Tư pháp")
    page.get_by_label("Nội dung xin ý kiến").fill("Đề nghị Sở cho ý kiến về việc ghi quê quán của trẻ.")
    page.get_by_role("button", name="Gửi xin ý kiến").click()
    _done(page, "Đã gửi xin ý kiến.")

    # The department's specialist finds it in their queue and answers.
    _staff_login(page, base, "stp.cv")
    _open_from_work_queue(page, base, code)
    page.get_by_label("Ý kiến của cơ quan").fill("Ghi quê quán theo quê quán của cha, đúng quy định.")
    page.get_by_role("button", name="Gửi ý kiến").click()
    _done(page, "Đã gửi ý kiến.")

    # Back at the ward: the specialist writes the draft and passes the dossier on.
    _specialist_passes_on(page, base, code)

    # The chairman approves and signs; the clerk issues.
    _staff_login(page, base, "xa.ld")
    _open_from_work_queue(page, base, code)
    page.get_by_role("button", name="Phê duyệt và ký số").click()
    _done(page, "Đã phê duyệt và ký số kết quả.")
    _staff_login(page, base, "xa.vt")
    _open_from_work_queue(page, base, code)
    page.get_by_role("button", name="Vào sổ và phát hành kết quả").click()
    _done(page, "Đã vào sổ và phát hành kết quả.")
    expect(page.get_by_test_id("dossier-status")).to_contain_text("Đã trả kết quả")
    # Issued on the appointment's day is on time; before it (received after 15:00), early.
    early = timezone.localdate() < timezone.localtime(expected_due).date()
    expect(page.get_by_test_id("dossier-status")).to_contain_text("Trước hạn" if early else "Đúng hạn")
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.RETURNED

    # The citizen downloads the result from their dossier page.
    page.context.clear_cookies()
    page.goto(f"{base}/tai-khoan/dang-nhap/")
    page.get_by_label("Số điện thoại").fill("0912345678")
    page.get_by_label("Mật khẩu").fill(CITIZEN_PASSWORD)
    page.get_by_role("button", name="Đăng nhập bằng số điện thoại").click()
    page.goto(f"{base}/ho-so/{dossier.pk}/")
    result_href = page.get_by_role("link", name=re.compile("^Tải Giấy khai sinh")).get_attribute("href")
    signed = page.request.get(f"{base}{result_href}").body()
    text = _pdf_text(signed)
    assert "Nguyễn Minh Khôi" in text and chairman.get_full_name() in text
    # The link printed under the QR code (it wraps, hence the spaces removed).
    verify_code = re.search(r"/xac-thuc/([\w-]{20})/", "".join(text.split()))
    assert verify_code is not None

    # Its QR link: the signature is valid, the downloaded copy matches, a tampered one does not.
    page.goto(f"{base}/xac-thuc/{verify_code.group(1)}/")
    expect(page.get_by_role("heading", name="Chữ ký số hợp lệ")).to_be_visible()
    original = tmp_path / "ket-qua.pdf"
    original.write_bytes(signed)
    page.get_by_label("Tệp PDF cần đối chiếu").set_input_files(str(original))
    page.get_by_role("button", name="Đối chiếu", exact=True).click()
    expect(page.locator(".mc-panel--confirmation")).to_be_visible()
    tampered = tmp_path / "ket-qua-sua.pdf"
    position = signed.index(b"WeasyPrint")  # one byte of the signed range changed
    tampered.write_bytes(signed[:position] + b"V" + signed[position + 1 :])
    page.get_by_label("Tệp PDF cần đối chiếu").set_input_files(str(tampered))
    page.get_by_role("button", name="Đối chiếu", exact=True).click()
    expect(page.get_by_role("alert").filter(has_text="bị thay đổi sau khi ký")).to_be_visible()
    expect(page.locator(".mc-panel--confirmation")).to_have_count(0)
