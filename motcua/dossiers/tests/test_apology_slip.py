"""The apology slip (form 04 of both circulars) tells the applicant the result will be late, why,
and the new appointment; its title follows the circular in force on the reception date, and
once issued the dossier counts as late whatever its end."""

import datetime
import io

import pytest
from pypdf import PdfReader

from motcua.directory.constants import Role
from motcua.directory.models import Agency
from motcua.directory.services import staff_ensure
from motcua.dossiers.constants import DossierStatus, SlipKind, Timeliness
from motcua.dossiers.deadlines import dossier_timeliness
from motcua.dossiers.models import Dossier, DossierSlip
from motcua.dossiers.slips import slip_issue

pytestmark = pytest.mark.django_db

VN = datetime.timezone(datetime.timedelta(hours=7))


def _pdf_text(slip: DossierSlip) -> str:
    with slip.file.open("rb") as handle:
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)
    return " ".join(text.split())


def _apology(hung, version, *, received_at: datetime.datetime) -> DossierSlip:  # type: ignore[no-untyped-def]
    dossier = Dossier.objects.create(
        code="000.01.50.H15-260105-0007",
        procedure_version=version,
        agency=Agency.objects.get(code="UBND-24121"),
        applicant=hung,
        status=DossierStatus.IN_PROGRESS,
        received_at=received_at,
        due_at=received_at + datetime.timedelta(days=3, hours=1),
    )
    leader = staff_ensure(
        actor="t", username="ld", full_name="Phạm Minh Duyệt", password="x", roles=[(Role.LEADER, "UBND-24121", None)]
    )
    assert dossier.due_at is not None
    return slip_issue(
        dossier=dossier,
        kind=SlipKind.APOLOGY,
        officer=leader,
        content={
            "reason": "Chờ Sở Tư pháp xác minh quốc tịch của trẻ",
            "old_due": dossier.due_at,
            "new_due": datetime.datetime(2026, 1, 13, 9, 30, tzinfo=VN),
            "agency_name": "UBND phường Tân Lập",
        },
    )


def test_apology_slip_under_circular_03_2025(hung, birth_version) -> None:
    slip = _apology(hung, birth_version, received_at=datetime.datetime(2026, 1, 5, 8, 0, tzinfo=VN))
    assert (slip.kind, slip.form_number) == (SlipKind.APOLOGY, "04")
    assert slip.form_set.startswith("Thông tư số 03/2025/TT-VPCP")
    text = _pdf_text(slip)
    assert "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT" in text
    assert "Mẫu số 04" in text and "03/2025/TT-VPCP" in text
    assert "Kính gửi: Ông/Bà/Tổ chức Nguyễn Văn Hùng" in text
    assert slip.dossier.code in text and "Thủ tục đăng ký khai sinh" in text
    assert "Ngày 05 tháng 01 năm 2026" in text
    assert "09 giờ 00 phút, ngày 08 tháng 01 năm 2026" in text  # the old appointment
    assert "09 giờ 30 phút, ngày 13 tháng 01 năm 2026" in text  # the new one
    assert "Chờ Sở Tư pháp xác minh quốc tịch của trẻ" in text
    assert "Đại diện UBND phường Tân Lập" in text and "Phạm Minh Duyệt" in text
    # The instants are kept readable back, and the slip makes the dossier late.
    assert datetime.datetime.fromisoformat(slip.content["new_due"]) == datetime.datetime(
        2026, 1, 13, 2, 30, tzinfo=datetime.UTC
    )
    dossier = slip.dossier
    dossier.processed_at = datetime.datetime(2026, 1, 6, 8, 0, tzinfo=VN)
    assert dossier_timeliness(dossier) == Timeliness.LATE


def test_apology_slip_under_circular_01_2018(hung, birth_version) -> None:
    slip = _apology(hung, birth_version, received_at=datetime.datetime(2025, 6, 30, 15, 0, tzinfo=VN))
    assert slip.form_number == "04" and slip.form_set.startswith("Thông tư số 01/2018/TT-VPCP")
    text = _pdf_text(slip)
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in text
    assert "Mẫu số 04 – ban hành kèm theo Thông tư số 01/2018/TT-VPCP" in text
    assert "16 giờ 00 phút, ngày 03 tháng 07 năm 2025" in text
