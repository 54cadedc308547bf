"""Results are issued as signed Vietnamese administrative documents: the national layout,
the procedure's result template filled with the e-form answers, a reply letter for a
refusal, the leader's signature on an unnumbered document, then (Decree 30/2020/NĐ-CP) the
clerk's number from the agency's register and the agency's signature, and a copy in the
citizen's document store."""

import datetime
import hashlib
import io
import json
import shutil
import subprocess
import threading
import unicodedata
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from pyhanko.pdf_utils.reader import PdfFileReader
from pypdf import PdfReader

from motcua.catalog.models import Procedure, ResultTemplate
from motcua.core.models import AuditEvent
from motcua.core.testing import citizen, directory_minimal
from motcua.directory.models import Agency
from motcua.documents.models import DocumentNumberSequence, IssuedDocument, StoredDocument
from motcua.documents.results import (
    DATE_ANCHOR,
    DEFAULT_BODY,
    NUMBER_ANCHOR,
    date_line,
    document_number_issue,
    result_number_and_seal,
    result_sign,
    result_store_for_citizen,
    result_template_for,
    result_templates_load,
)
from motcua.documents.services import SEAL_FIELD_NAME
from motcua.dossiers.constants import Outcome
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import dossier_start
from motcua.signatures.signing import STAMP_HEIGHT, STAMP_MARGIN, validate_signed_pdf

pytestmark = pytest.mark.django_db

CATALOG = Path(settings.PACKAGE_DIR) / "catalog" / "demo_data"
TEMPLATES = Path(settings.PACKAGE_DIR) / "documents" / "demo_data" / "result_templates.json"
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
ISSUE_DAY = datetime.datetime(2026, 11, 26, 9, 30, tzinfo=HANOI)
WARD_NAME = "Ủy ban nhân dân phường Tân Lập"
needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")

BIRTH_ANSWERS = {
    "applicant_full_name": "Nguyễn Văn Hùng",
    "applicant_id_number": "066094000103",
    "applicant_residence": {
        "unit": "24121",
        "unit_name": "Phường Tân Lập",
        "detail": "12 Lê Duẩn",
        "text": "12 Lê Duẩn, Phường Tân Lập",
    },
    "applicant_relationship": "cha",
    "child_full_name": "Nguyễn Minh Khôi",
    "child_birth_date": "2026-11-20",
    "child_gender": "nam",
    "child_ethnicity": "Ê Đê",
    "child_nationality": "Việt Nam",
    "birth_place_kind": "co_so_y_te",
    "birth_facility": "Bệnh viện Đa khoa vùng Tây Nguyên",
    "birth_place": {"unit": None, "unit_name": None, "detail": "184 Trần Quý Cáp", "text": "184 Trần Quý Cáp"},
    "birth_proof_kind": "chung_sinh_dien_tu",
    "surrogacy": False,
    "self_birth_year": 1994,
    "self_ethnicity": "Kinh",
    "self_nationality": "Việt Nam",
    "other_parent_status": "khai",
    "other_parent_full_name": "Trần Thị Mai",
    "other_parent_birth_year": 1996,
    "other_parent_ethnicity": "Ê Đê",
    "other_parent_nationality": "Việt Nam",
    "other_parent_residence": {"unit": "24121", "unit_name": "Phường Tân Lập", "detail": "", "text": "Phường Tân Lập"},
}


@pytest.fixture(autouse=True)
def _settings(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path / "var"  # a development CA of this test's own
    settings.MOTCUA_PUBLIC_URL = "https://dichvucong.example.vn"


def real_catalog(*codes: str) -> dict[str, Agency]:
    """The directory and the demo catalogue's real procedures `codes`, with their e-forms."""
    from motcua.catalog.eforms import procedure_forms_load
    from motcua.catalog.services import catalog_import

    agencies = directory_minimal()
    catalog = json.loads((CATALOG / "procedures.json").read_text())
    catalog["procedures"] = [p for p in catalog["procedures"] if p["code"] in codes]
    catalog["fields"] = [f for f in catalog["fields"] if f["code"] in {p["field"] for p in catalog["procedures"]}]
    catalog_import(actor="test", document=catalog)
    forms = json.loads((CATALOG / "forms.json").read_text())
    procedure_forms_load(document={code: forms[code] for code in codes})
    return agencies


def birth_dossier(*, applicant: Any = None, sequence: int = 1) -> Dossier:
    """A received birth registration of the ward with the e-form filled in."""
    version = Procedure.objects.get(code="1.001193").current_version
    assert version is not None
    dossier = dossier_start(applicant=applicant or citizen(), version=version, unit_code="24121")
    dossier.form_data = dict(BIRTH_ANSWERS)
    dossier.code = f"000.01.50.H15-261125-{sequence:04d}"
    dossier.received_at = datetime.datetime(2026, 11, 25, 8, 0, tzinfo=HANOI)
    dossier.result_draft = "Đủ điều kiện đăng ký khai sinh."
    dossier.save()
    return dossier


def leader() -> Any:
    return get_user_model().objects.create_user(
        username="chutich.tanlap", password="x", first_name="Hương", last_name="Nguyễn Thị"
    )


def clerk() -> Any:
    return get_user_model().objects.create_user(
        username="vanthu.tanlap", password="x", first_name="Lan", last_name="Phạm Thị"
    )


def sign(dossier: Dossier, agency: Agency, approver: Any, outcome: str = "granted", note: str = "") -> IssuedDocument:
    """The leader's approval: the result signed in their name, without a number."""
    return result_sign(dossier=dossier, agency=agency, approver=approver, outcome=outcome, note=note, actor=approver)


def seal(document: IssuedDocument, agency: Agency, by: Any) -> IssuedDocument:
    """The clerk's issue, in its own transaction as the issue step runs it."""
    with transaction.atomic():
        return result_number_and_seal(document=document, agency=agency, clerk=by, actor=by)


def pdf_text(pdf: bytes) -> str:
    """The PDF's text as a reader sees it, NFC-normalised and with line breaks as spaces (lines
    wrap). Poppler draws form fields and signature stamps (the heading's number and date are
    fields); pypdf reads the pages' own content only."""
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return " ".join(unicodedata.normalize("NFC", text).split())


def stored_bytes(document: Any) -> bytes:
    with document.file.open("rb") as fh:
        return bytes(fh.read())


def page_one_text(pdf: bytes, tmp_path: Path) -> str:
    """Page 1 as a reader sees it, signature stamps included (poppler draws annotations;
    pypdf reads the page's own content only)."""
    path = tmp_path / "page.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", "-f", "1", "-l", "1", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    return " ".join(unicodedata.normalize("NFC", text).split())


@pytest.fixture
def birth() -> dict[str, Agency]:
    agencies = real_catalog("1.001193", "1.000656")
    result_templates_load(document=json.loads(TEMPLATES.read_text()), actor="test")
    return agencies


@time_machine.travel(ISSUE_DAY, tick=False)
def test_birth_result_is_a_signed_a4_document_in_the_national_layout(birth: dict[str, Agency]) -> None:
    """A granted birth registration gives an A4 "Giấy khai sinh" in the national layout,
    with the child and parents from the e-form, the leader's name and a QR code of the
    verification URL, signed by the leader with the number and the date left blank: it is
    not issued yet."""
    dossier = birth_dossier()
    approver = leader()
    document = sign(dossier, birth["UBND-24121"], approver, outcome=Outcome.GRANTED, note="Đồng ý.")
    assert (document.number, document.symbol, document.issued_at) == ("", "GKS", None)
    assert document.title == "Giấy khai sinh"
    assert document.dossier == dossier and document.issuer_agency == birth["UBND-24121"]
    assert document.signed_by_name == "Nguyễn Thị Hương"
    assert not DocumentNumberSequence.objects.exists()  # no number drawn

    pdf = stored_bytes(document)
    reader = PdfReader(io.BytesIO(pdf))
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)  # A4
    text = pdf_text(pdf)
    for expected in (
        "ỦY BAN NHÂN DÂN PHƯỜNG TÂN LẬP",
        "Số: /GKS",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Tân Lập, ngày … tháng … năm …",
        "GIẤY KHAI SINH",
        "Nguyễn Minh Khôi",
        "20/11/2026",
        "Bệnh viện Đa khoa vùng Tây Nguyên",
        "Họ, chữ đệm, tên người mẹ:",
        "Trần Thị Mai",
        "Họ, chữ đệm, tên người cha:",
        "Nguyễn Văn Hùng",
        "Đủ điều kiện đăng ký khai sinh.",
        "TM. ỦY BAN NHÂN DÂN",
        "CHỦ TỊCH",
        "Nguyễn Thị Hương",
        "Quét mã để kiểm tra tính xác thực",
    ):
        assert expected in text, expected
    assert "26 tháng 11" not in text
    # The URL is printed under the QR code, wrapped to the column's width.
    # (pypdf: poppler joins the word broken at the hyphen.)
    url_text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert f"https://dichvucong.example.vn/xac-thuc/{document.verification_code}/" in "".join(url_text.split())

    report = validate_signed_pdf(pdf)
    assert report.valid, report.problem
    assert report.signer_name == "Nguyễn Thị Hương" and report.signers == ("Nguyễn Thị Hương",)
    assert AuditEvent.objects.filter(action="documents.result_signed", object_id=str(document.pk)).exists()
    assert AuditEvent.objects.filter(action="documents.signed", object_id=str(document.pk)).exists()


@time_machine.travel(ISSUE_DAY, tick=False)
def test_clerk_numbers_dates_and_seals_with_the_agency_signature(birth: dict[str, Agency]) -> None:
    """The clerk's issue numbers the signed result from the ward's register, dates it and
    adds the ward's signature after the leader's: both signatures are valid, the leader's
    signed bytes are untouched, and the record has the number, date, hash and size."""
    dossier = birth_dossier()
    approver = leader()
    document = sign(dossier, birth["UBND-24121"], approver)
    leader_signed = stored_bytes(document)
    leader_file = document.file.name

    sealed = seal(document, birth["UBND-24121"], clerk())
    assert sealed is document  # updated in place
    document.refresh_from_db()
    assert document.number == "01/GKS"
    assert document.issued_at == ISSUE_DAY
    assert document.signed_by_name == "Nguyễn Thị Hương"  # the leader stays the signer of record
    pdf = stored_bytes(document)
    assert pdf.startswith(leader_signed) and pdf != leader_signed  # an incremental update
    assert (document.sha256, document.size) == (hashlib.sha256(pdf).hexdigest(), len(pdf))
    assert document.file.name != leader_file

    report = validate_signed_pdf(pdf)
    assert report.valid, report.problem
    assert report.signer_name == "Nguyễn Thị Hương"
    assert report.signers == ("Nguyễn Thị Hương", WARD_NAME)
    fields = [sig.field_name for sig in PdfFileReader(io.BytesIO(pdf)).embedded_signatures]
    assert fields == ["ChuKy", SEAL_FIELD_NAME]
    event = AuditEvent.objects.get(action="documents.result_sealed", object_id=str(document.pk))
    assert event.summary["number"] == "01/GKS" and event.summary["clerk"] == "Phạm Thị Lan"
    assert AuditEvent.objects.filter(action="documents.sealed", object_id=str(document.pk)).exists()


@needs_poppler
@time_machine.travel(ISSUE_DAY, tick=False)
def test_number_and_date_fill_the_heading_at_release(birth: dict[str, Agency], tmp_path: Path) -> None:
    """Decree 30/2020/NĐ-CP for an electronic document: the leader signs a heading with the
    number and the date blank; at release page 1 reads "Số: 01/GKS" under the agency and "Tân
    Lập, ngày 26 tháng 11 năm 2026" under the motto (the place by name), filled in the
    heading's fields without breaking the leader's signature, and the agency's stamp in the
    box under the number says the same. No text of the page lies under the stamp."""
    approver = leader()
    document = sign(birth_dossier(), birth["UBND-24121"], approver)
    before = page_one_text(stored_bytes(document), tmp_path)
    assert "Số: /GKS" in before and "Tân Lập, ngày … tháng … năm …" in before
    assert "Số: 01/" not in before and "26 tháng 11" not in before and "Ngày 26/11/2026" not in before

    seal(document, birth["UBND-24121"], clerk())
    pdf = stored_bytes(document)
    after = page_one_text(pdf, tmp_path)
    assert "Số: 01/GKS" in after and "Tân Lập, ngày 26 tháng 11 năm 2026" in after
    assert "Ngày 26/11/2026" in after  # the agency's stamp
    assert "ngày … tháng" not in after and "Số: /GKS" not in after
    assert "24121" not in after  # the place is named, never coded
    report = validate_signed_pdf(pdf)
    assert report.valid, report.problem
    assert report.signers == ("Nguyễn Thị Hương", WARD_NAME)

    reader = PdfReader(io.BytesIO(pdf))
    widgets = {
        str(annotation.get_object().get("/T")): annotation.get_object()
        for annotation in reader.pages[0].get("/Annots", [])
    }
    assert set(widgets) == {NUMBER_ANCHOR, DATE_ANCHOR, "ChuKy", SEAL_FIELD_NAME}
    assert (widgets[NUMBER_ANCHOR]["/V"], widgets[DATE_ANCHOR]["/V"]) == (
        "Số: 01/GKS",
        "Tân Lập, ngày 26 tháng 11 năm 2026",
    )
    number_box = [float(v) for v in widgets[NUMBER_ANCHOR]["/Rect"]]
    date_box = [float(v) for v in widgets[DATE_ANCHOR]["/Rect"]]
    left, bottom, right, top = (float(v) for v in widgets[SEAL_FIELD_NAME]["/Rect"])
    assert number_box[2] < 595 / 2 < date_box[0] + 60  # number on the left, date on the right
    assert abs(number_box[1] - date_box[1]) < 1 and number_box[1] >= top  # one line, the stamp below
    assert left < 595 / 2 and top > 842 - 200  # top left of the first page
    under: list[str] = []

    def visit(text: str, cm: list[float], tm: list[float], _font: Any, _size: Any) -> None:
        x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]
        y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
        if text.strip() and left <= x <= right and bottom <= y <= top:
            under.append(text)

    reader.pages[0].extract_text(visitor_text=visit)
    assert under == []


def test_date_of_issue_pads_the_day_and_january_february() -> None:
    """Decree 30/2020/NĐ-CP, appendix I: a day below 10 and the months 1 and 2 take a zero."""
    assert date_line(place="Tân Lập", day=datetime.date(2027, 2, 5)) == "Tân Lập, ngày 05 tháng 02 năm 2027"
    assert date_line(place="Tân Lập", day=datetime.date(2027, 3, 15)) == "Tân Lập, ngày 15 tháng 3 năm 2027"
    assert date_line(place="Tân Lập") == "Tân Lập, ngày … tháng … năm …"


@time_machine.travel(ISSUE_DAY, tick=False)
def test_numbers_are_drawn_at_sealing_in_the_order_of_issue(birth: dict[str, Agency]) -> None:
    """Signing draws no number; the clerk's sealing does, consecutively in the order the
    results are issued (not the order the leader signed them)."""
    approver, by = leader(), clerk()
    first_dossier = birth_dossier()
    second_dossier = birth_dossier(applicant=first_dossier.applicant, sequence=2)
    first = sign(first_dossier, birth["UBND-24121"], approver)
    second = sign(second_dossier, birth["UBND-24121"], approver)
    assert not DocumentNumberSequence.objects.exists()
    assert seal(second, birth["UBND-24121"], by).number == "01/GKS"
    assert seal(first, birth["UBND-24121"], by).number == "02/GKS"
    assert DocumentNumberSequence.objects.get(agency=birth["UBND-24121"], year=2026, symbol="GKS").last == 2


def test_sealing_again_changes_nothing(birth: dict[str, Agency]) -> None:
    """An issued result is returned as it is: no second number, no third signature."""
    by = clerk()
    document = seal(sign(birth_dossier(), birth["UBND-24121"], leader()), birth["UBND-24121"], by)
    sha256 = document.sha256
    again = seal(IssuedDocument.objects.get(pk=document.pk), birth["UBND-24121"], by)
    assert (again.number, again.sha256) == ("01/GKS", sha256)
    assert DocumentNumberSequence.objects.get(symbol="GKS").last == 1
    assert AuditEvent.objects.filter(action="documents.result_sealed").count() == 1


def test_only_the_issuing_agency_seals(birth: dict[str, Agency]) -> None:
    """Another agency's clerk cannot number and seal the ward's result with its signature."""
    from motcua.core.errors import ApplicationError

    document = sign(birth_dossier(), birth["UBND-24121"], leader())
    with pytest.raises(ApplicationError) as refused:
        seal(document, birth["STP"], clerk())
    assert refused.value.code == "result_other_agency"
    document.refresh_from_db()
    assert (document.number, document.issued_at) == ("", None)
    assert not DocumentNumberSequence.objects.exists()


def test_a_failed_seal_leaves_the_leader_signed_result_and_its_number(birth: dict[str, Agency]) -> None:
    """If the issue fails after sealing (rolled back), the result is still the leader's
    signed, unnumbered file and the register gives the number to the next issue."""
    document = sign(birth_dossier(), birth["UBND-24121"], leader())
    leader_signed = stored_bytes(document)
    with pytest.raises(RuntimeError), transaction.atomic():
        result_number_and_seal(document=document, agency=birth["UBND-24121"], clerk=clerk(), actor="test")
        raise RuntimeError("the issue step failed afterwards")
    document = IssuedDocument.objects.get(pk=document.pk)
    assert (document.number, document.issued_at) == ("", None)
    assert stored_bytes(document) == leader_signed
    with transaction.atomic():
        assert document_number_issue(agency=birth["UBND-24121"], year=2026, symbol="GKS") == "01/GKS"


def test_layout_leaves_the_signature_stamp_corner_free(birth: dict[str, Agency]) -> None:
    """Nothing is printed where the signing plugin puts its visible stamp (bottom-right of
    the last page), however long the result: every line sits above the stamp's top edge."""
    dossier = birth_dossier()
    dossier.result_draft = "\n\n".join(["Nội dung dự thảo dài để văn bản sang trang thứ hai."] * 30)
    dossier.save()
    document = seal(sign(dossier, birth["UBND-24121"], leader()), birth["UBND-24121"], clerk())
    reader = PdfReader(io.BytesIO(stored_bytes(document)))
    assert len(reader.pages) >= 2
    stamp_top = STAMP_MARGIN + STAMP_HEIGHT
    lowest: list[float] = []

    def visit(text: str, cm: list[float], tm: list[float], _font: Any, _size: Any) -> None:
        if text.strip():
            lowest.append(cm[1] * tm[4] + cm[3] * tm[5] + cm[5])

    for page in reader.pages:
        page.extract_text(visitor_text=visit)
    assert lowest and min(lowest) > stamp_top


def test_refusal_is_a_reply_letter_with_the_reason(birth: dict[str, Agency]) -> None:
    """A refused dossier gets a signed "Văn bản trả lời" stating the reason, without the
    result template's body, numbered in the reply register when issued."""
    dossier = birth_dossier()
    document = sign(
        dossier,
        birth["UBND-24121"],
        leader(),
        outcome=Outcome.REFUSED,
        note="Giấy chứng sinh không khớp với thông tin người mẹ.",
    )
    assert document.title == "Văn bản trả lời"
    assert (document.number, document.symbol) == ("", "TL")
    text = pdf_text(stored_bytes(document))
    assert "VĂN BẢN TRẢ LỜI" in text and "Số: /TL" in text
    assert "Giấy chứng sinh không khớp với thông tin người mẹ." in text
    assert "không giải quyết hồ sơ" in text
    assert "GIẤY KHAI SINH" not in text and "Nguyễn Minh Khôi" not in text
    seal(document, birth["UBND-24121"], clerk())
    assert document.number == "01/TL"
    assert validate_signed_pdf(stored_bytes(document)).valid


def test_refusal_needs_a_reason(birth: dict[str, Agency]) -> None:
    """A refusal without a reason is refused, in Vietnamese, and nothing is signed."""
    from motcua.core.errors import ApplicationError

    with pytest.raises(ApplicationError, match="lý do"):
        sign(birth_dossier(), birth["UBND-24121"], leader(), outcome="refused", note=" ")
    assert not IssuedDocument.objects.exists()


def test_department_result_names_the_provincial_committee_and_the_director() -> None:
    """A department issues under the provincial People's Committee, signed by its director,
    with the province as the place."""
    agencies = real_catalog("1.001193")
    document = sign(birth_dossier(), agencies["STP"], leader())
    text = pdf_text(stored_bytes(document))
    assert "ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK" in text and "SỞ TƯ PHÁP" in text
    assert "GIÁM ĐỐC" in text and "TM. ỦY BAN NHÂN DÂN" not in text
    assert "Đắk Lắk, ngày … tháng … năm …" in text
    # The taller header moves the number's box down; the department's signature follows it.
    seal(document, agencies["STP"], clerk())
    report = validate_signed_pdf(stored_bytes(document))
    assert report.valid and report.signers[1] == agencies["STP"].name


def test_default_template_lists_the_answers_and_the_draft() -> None:
    """Without a result template, the result is titled after the procedure's first listed
    result, numbered "KQ", and lists the e-form answers with their labels and the draft."""
    agencies = real_catalog("1.001193")
    dossier = birth_dossier()
    default = result_template_for(version=dossier.procedure_version)
    assert default.pk is None
    assert (default.title, default.symbol, default.body) == ("Giấy khai sinh", "KQ", DEFAULT_BODY)
    document = sign(dossier, agencies["UBND-24121"], leader())
    assert document.symbol == "KQ" and document.title == "Giấy khai sinh"
    text = pdf_text(stored_bytes(document))
    assert "GIẤY KHAI SINH" in text
    assert "Giới tính" in text and "Nguyễn Minh Khôi" in text and "Bệnh viện Đa khoa vùng Tây Nguyên" in text
    assert "Đủ điều kiện đăng ký khai sinh." in text
    assert "Đã có Giấy chứng sinh điện tử" in text and "chung_sinh_dien_tu" not in text  # choices by their label


def test_saved_template_is_used_over_the_default(birth: dict[str, Agency]) -> None:
    """The version's saved result template is the one used."""
    dossier = birth_dossier()
    template = result_template_for(version=dossier.procedure_version)
    assert template.pk is not None and template.symbol == "GKS"
    assert ResultTemplate.objects.filter(version=dossier.procedure_version).count() == 1


def test_numbers_follow_the_register_per_agency_year_and_symbol() -> None:
    """Numbers count up per agency, year and symbol, restart each year and differ per agency."""
    agencies = directory_minimal()
    ward, department = agencies["UBND-24121"], agencies["STP"]
    with transaction.atomic():
        assert document_number_issue(agency=ward, year=2026, symbol="GKS") == "01/GKS"
        assert document_number_issue(agency=ward, year=2026, symbol="GKS") == "02/GKS"
        assert document_number_issue(agency=ward, year=2026, symbol="TLKT") == "01/TLKT"
        assert document_number_issue(agency=department, year=2026, symbol="GKS") == "01/GKS"
        assert document_number_issue(agency=ward, year=2027, symbol="GKS") == "01/GKS"
        assert document_number_issue(agency=ward, year=2026, symbol="GKS") == "03/GKS"


@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_never_share_a_number() -> None:
    """Eight threads numbering results at once for the same register get forty numbers."""
    agency = directory_minimal()["UBND-24121"]
    numbers: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def issue() -> None:
        try:
            barrier.wait()
            for _ in range(5):
                with transaction.atomic():
                    numbers.append(document_number_issue(agency=agency, year=2026, symbol="GKS"))
        except BaseException as error:  # reported below, so a failure is visible
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(numbers, key=lambda n: int(n.split("/")[0])) == [f"{n:02d}/GKS" for n in range(1, 41)]


def test_a_rolled_back_issue_gives_its_number_back(birth: dict[str, Agency]) -> None:
    """A number taken in a transaction that fails is not lost from the register."""
    agency = birth["UBND-24121"]
    with pytest.raises(RuntimeError), transaction.atomic():
        document_number_issue(agency=agency, year=2026, symbol="GKS")
        raise RuntimeError("signing failed")
    with transaction.atomic():
        assert document_number_issue(agency=agency, year=2026, symbol="GKS") == "01/GKS"


def test_copy_to_the_citizen_store_is_idempotent(birth: dict[str, Agency]) -> None:
    """The issued result is copied once into the applicant's document store, with its hash,
    size and source dossier, named with the person it is about (the child, not the father who
    applied); copying again returns the same entry."""
    dossier = birth_dossier()
    document = seal(sign(dossier, birth["UBND-24121"], leader()), birth["UBND-24121"], clerk())
    stored = result_store_for_citizen(dossier=dossier, document=document)
    again = result_store_for_citizen(dossier=dossier, document=document)
    assert again.pk == stored.pk
    assert StoredDocument.objects.filter(owner=dossier.applicant, source_dossier=dossier).count() == 1
    assert stored.owner_id == dossier.applicant_id
    assert stored.title == "Giấy khai sinh – Nguyễn Minh Khôi" and stored.title_folded == "giay khai sinh"
    assert stored.content_type == "application/pdf"
    assert (stored.sha256, stored.size) == (document.sha256, document.size)
    with stored.file.open("rb") as fh:
        assert fh.read() == stored_bytes(document)
    assert AuditEvent.objects.filter(action="documents.result_stored").count() == 1


def test_demo_templates_load_on_current_versions_and_reload_unchanged() -> None:
    """The demo result templates attach to the loaded procedures' current versions (codes
    not in the catalogue are skipped) and loading twice changes nothing."""
    real_catalog("1.001193", "1.000656")
    document = json.loads(TEMPLATES.read_text())
    assert {"1.001193", "1.000656", "1.000894"} <= set(document)
    assert result_templates_load(document=document, actor="test") == 2
    assert result_templates_load(document=document, actor="test") == 2
    death = ResultTemplate.objects.get(version__procedure__code="1.000656")
    assert (death.title, death.symbol) == ("Trích lục khai tử", "TLKT")
    assert ResultTemplate.objects.count() == 2
    assert AuditEvent.objects.filter(action="catalog.result_template_created").count() == 2
    assert not AuditEvent.objects.filter(action="catalog.result_template_updated").exists()
