"""Every slip the one-stop unit issues is laid out like the printed national forms: the heading
keeps the agency's place name whole on one line, the signature block and the QR code stay on
the page of the body's last lines, and the receipt of an ordinary dossier fits one A4 page.

Checked on the PDFs' own text, page by page (`pdftotext -layout`), with the longest real
names of the directory (a ward's service centre: "Trung tâm Phục vụ hành chính công phường
Buôn Ma Thuột") and with 3 and 15 papers."""

import datetime
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from motcua.catalog.models import DossierComponent, Procedure
from motcua.core.testing import citizen
from motcua.delivery.constants import IdPaperKind, RecipientKind
from motcua.delivery.notes import handover_note_pdf
from motcua.delivery.services import handover_record
from motcua.delivery.testing import processed_dossier
from motcua.directory.constants import Role
from motcua.directory.models import AdministrativeUnit
from motcua.documents.tests.test_results import real_catalog
from motcua.dossiers.acknowledgement import acknowledgement_pdf
from motcua.dossiers.closing import dossier_stop
from motcua.dossiers.constants import DeliveryMethod, SlipKind
from motcua.dossiers.models import Dossier
from motcua.dossiers.reception import dossier_accept, dossier_refuse, dossier_request_supplement
from motcua.dossiers.records import control_sheet_pdf
from motcua.dossiers.slips import slip_issue
from motcua.dossiers.testing import officer, submitted_dossier

pytestmark = pytest.mark.django_db

BIRTH = "1.001193"
WARD = "Phường Buôn Ma Thuột"
CENTRE = "Trung tâm Phục vụ hành chính công phường Buôn Ma Thuột"
MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
# Papers of a land procedure, as long as real component names get (the birth registration
# asks for 7).
PAPERS = [
    "Đơn đăng ký biến động đất đai, tài sản gắn liền với đất theo Mẫu số 11/ĐK",
    "Bản gốc Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác gắn liền với đất đã cấp",
    "Hợp đồng, văn bản về việc chuyển nhượng quyền sử dụng đất đã được công chứng hoặc chứng thực",
    "Văn bản của người sử dụng đất đồng ý cho chủ sở hữu tài sản gắn liền với đất được xây dựng",
    "Bản sao giấy tờ chứng minh việc thực hiện nghĩa vụ tài chính về đất đai theo quy định",
    "Sơ đồ tài sản gắn liền với đất do người đề nghị cấp giấy chứng nhận tự lập hoặc thuê đơn vị đo đạc",
    "Tờ khai lệ phí trước bạ nhà, đất theo Mẫu số 01 ban hành kèm theo Nghị định số 10/2022/NĐ-CP",
    "Tờ khai thuế thu nhập cá nhân đối với cá nhân có thu nhập từ chuyển nhượng bất động sản",
    "Văn bản ủy quyền thực hiện thủ tục hành chính có chứng thực (trường hợp nộp thay)",
    "Giấy tờ làm căn cứ xác định thuộc đối tượng được miễn, giảm nghĩa vụ tài chính về đất đai",
    "Trích lục bản đồ địa chính hoặc trích đo bản đồ địa chính thửa đất đã được cơ quan có thẩm quyền duyệt",
    "Biên bản xác định ranh giới, mốc giới thửa đất có chữ ký của các chủ sử dụng đất liền kề",
]


@pytest.fixture(autouse=True)
def _settings(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path / "var"
    settings.MOTCUA_PUBLIC_URL = "https://dichvucong.example.vn"


@pytest.fixture
def place() -> dict[str, Any]:
    """The birth registration at a ward whose one-stop unit bears the longest name of the
    directory's real ones, the applicant and the staff."""
    agencies = real_catalog(BIRTH)
    ward = agencies["UBND-24121"]
    AdministrativeUnit.objects.filter(pk=ward.unit_id).update(name=WARD)
    ward.name = CENTRE
    ward.save(update_fields=["name"])
    return {
        "ward": ward,
        "applicant": citizen(),
        "reception": officer("xa.tn"),
        "leader": officer("xa.ld", role=Role.LEADER),
    }


def _version(papers: int) -> Any:
    """The birth registration asking for `papers` papers in all: its own first, then land papers."""
    version = Procedure.objects.get(code=BIRTH).current_version
    assert version is not None
    own = list(version.components.all())
    DossierComponent.objects.filter(pk__in=[component.pk for component in own[papers:]]).delete()
    for position, name in enumerate(PAPERS[: max(papers - len(own), 0)], start=len(own) + 1):
        DossierComponent.objects.create(version=version, position=position, name=name)
    assert version.components.count() == papers
    return version


def _pages(pdf: bytes) -> list[list[str]]:
    """The lines of each page as `pdftotext -layout` lays them out, NFC, spaces plain."""
    text = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    text = unicodedata.normalize("NFC", text).replace("\xa0", " ")
    pages = [page.splitlines() for page in text.split("\f")]
    return [[" ".join(line.split()) for line in page if line.strip()] for page in pages if "".join(page).strip()]


def _file(stored: Any) -> bytes:
    with stored.file.open("rb") as handle:
        return bytes(handle.read())


def _issued(place: dict[str, Any], papers: int) -> dict[str, bytes]:
    """Every slip of the one-stop unit, the acknowledgement, the control sheet, the stop notice
    and the hand-over note of dossiers handed in with `papers` papers."""
    reception, leader = place["reception"], place["leader"]
    version = _version(papers)

    def handed_in() -> Dossier:
        return submitted_dossier(place["applicant"], version, delivery=DeliveryMethod.POST)

    pdfs: dict[str, bytes] = {}
    accepted = handed_in()
    pdfs["acknowledgement"] = acknowledgement_pdf(dossier=accepted)
    pdfs["receipt"] = _file(dossier_accept(dossier=accepted, officer=reception, revision=None))
    accepted.refresh_from_db()
    assert accepted.due_at is not None
    pdfs["apology"] = _file(
        slip_issue(
            dossier=accepted,
            kind=SlipKind.APOLOGY,
            officer=leader,
            content={
                "reason": "Chờ kết quả xác minh nơi cư trú của người yêu cầu tại Công an phường.",
                "old_due": accepted.due_at,
                "new_due": accepted.due_at + datetime.timedelta(days=2),
                "agency_name": place["ward"].name,
            },
        )
    )
    pdfs["control sheet"] = control_sheet_pdf(dossier=accepted)
    accepted.refresh_from_db()
    pdfs["stop notice"] = _file(
        dossier_stop(
            dossier=accepted,
            officer=leader,
            reason="Người yêu cầu đã được đăng ký khai sinh tại cơ quan đại diện Việt Nam ở nước ngoài.",
            legal_ground="Khoản 2 Điều 19 Nghị định số 118/2025/NĐ-CP.",
            revision=None,
        )
    )
    pdfs["supplement"] = _file(
        dossier_request_supplement(
            dossier=handed_in(),
            officer=reception,
            reasons="- Bổ sung giấy chứng sinh bản chính.\n- Bổ sung văn bản ủy quyền có chứng thực.",
            revision=None,
        )
    )
    pdfs["refusal"] = _file(
        dossier_refuse(
            dossier=handed_in(),
            officer=reception,
            reasons="Hồ sơ không thuộc thẩm quyền giải quyết của Ủy ban nhân dân phường.",
            revision=None,
        )
    )
    hand_over = handover_record(
        dossier=processed_dossier(place["applicant"], version),
        officer=reception,
        recipient_kind=RecipientKind.AUTHORISED,
        recipient_name="Trần Thị Mai",
        authorisation="Vợ của người nộp hồ sơ; giấy ủy quyền có chứng thực ngày 01/12/2026",
        id_paper_kind=IdPaperKind.CITIZEN_ID,
        id_paper_number="066194000204",
        note="",
        revision=None,
    )
    pdfs["hand-over note"] = handover_note_pdf(hand_over=hand_over)
    return pdfs


# The closing block of each kind: lines holding one of these are not body text.
CLOSING = (
    "Người tiếp nhận",
    "Người nộp",
    "Người nhận kết quả",
    "Ký và ghi rõ",
    "Ký, ghi rõ",
    "Quét mã",
    "Cán bộ xa.",
    "Đại diện",
)
# The closing block of each kind, all on one page.
SIGNED_BY = {
    "acknowledgement": ("Quét mã để tra cứu hồ sơ",),
    "receipt": ("Người tiếp nhận", "Quét mã để tra cứu hồ sơ"),
    "apology": ("Đại diện", "Quét mã để tra cứu hồ sơ"),
    "supplement": ("Người tiếp nhận", "Quét mã để tra cứu hồ sơ"),
    "refusal": ("Người tiếp nhận", "Quét mã để tra cứu hồ sơ"),
    "control sheet": ("Ghi chú: Trường hợp hồ sơ",),
    "stop notice": ("Đại diện", "Quét mã để tra cứu hồ sơ"),
    "hand-over note": ("Người nhận kết quả", "Người trả kết quả"),
}


def _check_layout(name: str, pages: list[list[str]]) -> None:
    first = pages[0]
    # The place names of the heading, and the motto, each whole on one line.
    assert any(WARD.upper() in line for line in first), (name, first[:8])
    assert any(MOTTO in line for line in first), (name, first[:8])
    # The signature block with the QR code (the control sheet's footnote) and at least two lines
    # of the body on one page: the closing block never stands alone.
    signed = [page for page in pages if any(mark in line for line in page for mark in SIGNED_BY[name])]
    assert len(signed) == 1, (name, pages)
    for mark in SIGNED_BY[name]:
        assert any(mark in line for line in signed[0]), (name, mark, pages)
    body = [line for line in signed[0] if not any(mark in line for mark in CLOSING)]
    assert len(body) >= 2, (name, signed[0])


@pytest.mark.parametrize("papers", [3, 15])
def test_every_slip_keeps_its_heading_whole_and_its_signature_with_its_body(place, papers) -> None:  # type: ignore[no-untyped-def]
    pdfs = _issued(place, papers)
    assert set(pdfs) == set(SIGNED_BY)
    pages = {name: _pages(pdf) for name, pdf in pdfs.items()}
    for name, laid_out in pages.items():
        _check_layout(name, laid_out)
    # The date line names the ward whole too.
    for name in ("receipt", "supplement", "refusal", "apology", "stop notice", "hand-over note"):
        assert any(f"{WARD}," in line for line in pages[name][0]), (name, pages[name][0][:8])
    if papers == 3:
        # An ordinary dossier: each slip fits one A4 page, as the printed forms do.
        assert {name: len(laid_out) for name, laid_out in pages.items()} == dict.fromkeys(pages, 1)
    else:
        # Fifteen papers break inside the table of papers, never before the signature alone.
        assert len(pages["receipt"]) == 2
        assert any(line.startswith("15 ") for line in pages["receipt"][1]), pages["receipt"][1]
