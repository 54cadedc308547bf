"""Helpers for tests of dossiers: a dossier handed in without the SMS step, staff, and the
online birth registration as a browser journey."""

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.urls import reverse

from motcua.core.testing import small_pdf
from motcua.directory.constants import Role
from motcua.directory.services import staff_ensure
from motcua.dossiers import services
from motcua.dossiers.constants import DeliveryMethod, DossierStatus
from motcua.dossiers.models import Dossier
from motcua.dossiers.transitions import dossier_lock, dossier_transition

if TYPE_CHECKING:
    from playwright.sync_api import Page, ViewportSize


def submitted_dossier(
    applicant: Any,
    version: Any,
    *,
    unit_code: str = "24121",
    delivery: str = DeliveryMethod.COUNTER,
    answers: dict[str, Any] | None = None,
) -> Dossier:
    """A dossier with its paper attached (and `answers` as its form), handed in to the
    receiving agency's queue."""
    dossier = services.dossier_start(applicant=applicant, version=version, unit_code=unit_code)
    return hand_in(dossier, applicant, delivery=delivery, answers=answers)


def hand_in(
    dossier: Dossier, actor: Any, *, delivery: str = DeliveryMethod.COUNTER, answers: dict[str, Any] | None = None
) -> Dossier:
    """A started dossier filled in by `actor` (the applicant, or the officer submitting for
    them): `answers` as its form, its papers attached, the result asked for as `delivery`
    says, handed in without the SMS step."""
    if answers is not None:
        Dossier.objects.filter(pk=dossier.pk).update(form_data=answers)
    for component in dossier.procedure_version.components.all():
        services.dossier_attach(
            dossier=dossier, actor=actor, component_id=component.pk, name="giay-to.pdf", data=small_pdf()
        )
    dossier.refresh_from_db()
    address = "Số 1 Lê Duẩn, phường Tân Lập" if delivery == DeliveryMethod.POST else ""
    services.dossier_set_delivery(
        dossier=dossier, actor=actor, method=delivery, address=address, revision=dossier.revision
    )
    with transaction.atomic():
        locked = dossier_lock(dossier_id=dossier.pk)
        dossier_transition(dossier=locked, to_status=DossierStatus.AWAITING_CONFIRMATION, actor=actor)
        services._dossier_hand_in(dossier=locked, actor=actor)
    return Dossier.objects.get(pk=dossier.pk)


def fees_owed(dossier: Dossier, amount: int, lines: list[dict[str, Any]] | None = None) -> Dossier:
    """Let a dossier already handed in owe `amount` đồng (its fees are frozen at hand-in)."""
    line = {"kind": "fee", "name": "Lệ phí", "quantity": 1, "unit_amount": amount, "amount": amount}
    Dossier.objects.filter(pk=dossier.pk).update(fees_due=amount, fee_lines=lines or [line])
    return Dossier.objects.get(pk=dossier.pk)


def officer(username: str, agency: str = "UBND-24121", role: str = Role.RECEPTION, email: str = "") -> Any:
    user = staff_ensure(
        actor="test",
        username=username,
        full_name=f"Cán bộ {username}",
        password="x",  # noqa: S106 - test account
        roles=[(role, agency, None)],
    )
    if email:
        user.email = email
        user.save(update_fields=["email"])
    return user


def consulted_dossier(*, applicant: Any, version: Any) -> dict[str, Any]:
    """A ward dossier, accepted, whose specialist asked the Department of Justice for an opinion:
    the dossier, its main step, the consultation step and the officers of both agencies by part."""
    from motcua.catalog.constants import StepKind
    from motcua.dossiers.models import DossierStep
    from motcua.dossiers.processing import step_consult
    from motcua.dossiers.reception import dossier_accept

    staff = {
        "reception": officer("xa.tn"),
        "specialist": officer("xa.cv", role=Role.SPECIALIST),
        "leader": officer("xa.ld", role=Role.LEADER),
        "stp_specialist": officer("stp.cv", agency="STP", role=Role.SPECIALIST),
        "stp_leader": officer("stp.ld", agency="STP", role=Role.LEADER),
        "stp_reception": officer("stp.tn", agency="STP", role=Role.RECEPTION),
    }
    dossier = submitted_dossier(applicant, version)
    dossier_accept(dossier=dossier, officer=staff["reception"], revision=dossier.revision)
    main = DossierStep.objects.get(dossier=dossier, kind=StepKind.PROCESS)
    consultation = step_consult(
        step=main,
        officer=staff["specialist"],
        agency_id=staff["stp_specialist"].staff_roles.get().agency_id,
        question="Đề nghị Sở Tư pháp cho ý kiến về việc ghi quê quán.",
        days=Decimal(2),
        revision=None,
    )
    return {"dossier": Dossier.objects.get(pk=dossier.pk), "main": main, "consultation": consultation, **staff}


# --- Browser journeys (Playwright), shared by browser tests that carry a dossier further. ---

PHONE_VIEWPORT: "ViewportSize" = {"width": 375, "height": 812}
HUNG_VNEID_CLAIMS = {
    "citizen_id": "066094000103",  # in the demo population registry, married to Trần Thị Mai
    "name": "Nguyễn Văn Hùng",
    "birthdate": "1994-03-15",
    "phone_number": "+84912345678",
    "phone_number_verified": True,
    "email": "hung@example.vn",
}


def vneid_login(page: "Page", base_url: str, *, sub: str) -> None:
    """Log in through the national SSO simulator as the user `sub` put there beforehand."""
    page.goto(f"{base_url}/tai-khoan/dang-nhap/")
    page.get_by_role("button", name="Đăng nhập bằng VNeID").click()
    page.get_by_placeholder("sub").fill(sub)
    page.get_by_role("button", name="Authorize").click()


def birth_registration_by_father(
    page: "Page",
    base_url: str,
    *,
    sms: Any,
    scan: Any,
    delivery: str = "Nhận kết quả trực tuyến",
    copies: int | None = None,
) -> Dossier:
    """Nguyễn Văn Hùng, logged in, registers his son's birth online and confirms with the SMS
    code: every pre-filled value is trusted as it is, the paper birth certificate `scan` (a PDF
    path) is uploaded, the result is asked for as `delivery` says. Checks on the way that the
    parents page shows only what applies to a father; `copies` extra birth extracts are asked
    for when given. Returns the submitted dossier (real
    birth-registration catalogue and e-form loaded, population registry and SMS gateway
    simulated)."""
    from playwright.sync_api import expect

    page.goto(base_url + reverse("dossiers:start", args=["1.001193"]))
    page.get_by_label("Nơi nộp hồ sơ (xã, phường)").select_option(label="Phường Tân Lập")
    page.get_by_role("button", name="Bắt đầu").click()

    # The applicant: pre-filled from the SSO profile and the population registry.
    expect(page.get_by_label("Họ, chữ đệm, tên người yêu cầu")).to_have_value("Nguyễn Văn Hùng")
    residence = page.get_by_role("group", name="Nơi cư trú của người yêu cầu")
    expect(residence.get_by_label("Xã, phường")).to_have_value("24121")
    page.get_by_label("Cha", exact=True).check()
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    # The child. A conditional field on this page waits for its answer.
    expect(page.get_by_label("Tên cơ sở y tế nơi sinh")).to_be_hidden()
    page.get_by_label("Họ, chữ đệm, tên").fill("Nguyễn Gia Bảo")
    page.get_by_label("Ngày, tháng, năm sinh").fill("2026-11-20")
    page.get_by_label("Nam", exact=True).check()
    page.get_by_label("Dân tộc").fill("Kinh")
    page.get_by_label("Tại cơ sở y tế (bệnh viện, trạm y tế, nhà hộ sinh)").check()
    page.get_by_label("Tên cơ sở y tế nơi sinh").fill("Bệnh viện Đa khoa vùng Tây Nguyên")
    birth_place = page.get_by_role("group", name="Địa chỉ nơi sinh")
    birth_place.get_by_label("Xã, phường").select_option(label="Phường Tân Lập")
    birth_place.get_by_role("textbox").fill("184 Trần Quý Cáp")
    page.get_by_label("Giấy chứng sinh bản giấy").check()
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    # The parents: the father is the applicant, so nothing about "the father" or "the mother"
    # as a third person is asked; the other parent comes from the registry (his wife).
    expect(page.get_by_label("Năm sinh của bạn")).to_have_value("1994")
    expect(page.get_by_text("Người cha", exact=True)).to_have_count(0)
    expect(page.get_by_label("Họ, chữ đệm, tên người cha")).to_have_count(0)
    expect(page.get_by_label("Họ, chữ đệm, tên người mẹ")).to_have_count(0)
    expect(page.get_by_text("chỉ điền nếu “Người cha”")).to_have_count(0)
    other_name = page.get_by_label("Họ, chữ đệm, tên của cha hoặc mẹ còn lại")
    expect(other_name).to_be_hidden()
    page.get_by_label("Khai thông tin", exact=True).check()
    expect(other_name).to_be_visible()
    expect(other_name).to_have_value("Trần Thị Mai")
    other_residence = page.get_by_role("group", name="Nơi cư trú của cha hoặc mẹ còn lại")
    expect(other_residence.get_by_label("Xã, phường")).to_have_value("24121")
    expect(other_residence.get_by_role("textbox")).to_have_value("Số 18, tổ dân phố 5")
    if copies is not None:
        page.get_by_label("Số bản sao Trích lục khai sinh đề nghị cấp thêm").fill(str(copies))
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    # Papers: the paper birth certificate is required for this answer; the authorisation
    # letter is not needed when a parent registers.
    certificate = page.get_by_role("region", name="Giấy chứng sinh").first
    expect(certificate.get_by_text("Bắt buộc", exact=True)).to_be_visible()
    authorisation = page.get_by_role("region", name="Văn bản ủy quyền")
    expect(authorisation.get_by_text("Không cần trong trường hợp của bạn")).to_be_visible()
    certificate.get_by_label("Chọn tệp").set_input_files(str(scan))
    certificate.get_by_role("button", name="Tải lên").click()
    expect(page.get_by_role("link", name=scan.name)).to_be_visible()
    page.get_by_role("button", name="Tiếp tục").click()

    page.get_by_label(delivery).check()
    page.get_by_role("button", name="Tiếp tục").click()

    # Check, declare, submit, confirm with the code the SMS gateway received.
    expect(page.get_by_text("cần hoàn thiện")).to_have_count(0)
    page.get_by_label("Tôi cam đoan", exact=False).check()
    page.get_by_role("button", name="Nộp hồ sơ").click()
    code = sms.last_code_for("0912345678")
    assert code, "the SMS gateway received a code"
    page.get_by_label("Mã xác nhận").fill(code)
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_role("heading", name="Đã nộp hồ sơ")).to_be_visible()
    return Dossier.objects.get(code=page.get_by_test_id("dossier-code").inner_text())
