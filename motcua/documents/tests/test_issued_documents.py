"""Issuing signed results: the service, the QR code and the demo result template."""

import hashlib
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.template.loader import render_to_string

from motcua.core.models import AuditEvent
from motcua.directory.constants import AgencyKind, UnitKind
from motcua.directory.models import AdministrativeUnit, Agency
from motcua.documents.qr import qr_png_data_uri, qr_svg
from motcua.documents.services import (
    issued_document_create,
    new_verification_code,
    render_result_pdf,
    result_pdf_context,
    verification_url,
)
from motcua.signatures.signing import validate_signed_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def ca_dir(tmp_path_factory: Any) -> Path:
    return Path(tmp_path_factory.mktemp("var"))


@pytest.fixture(autouse=True)
def _settings(settings: Any, ca_dir: Path) -> None:
    settings.VAR_DIR = ca_dir
    settings.MOTCUA_PUBLIC_URL = "https://dichvucong.example.vn"


@pytest.fixture
def agency() -> Agency:
    unit = AdministrativeUnit.objects.create(code="66", name="Tỉnh Đắk Lắk", kind=UnitKind.PROVINCE)
    return Agency.objects.create(
        code="STP", electronic_id="000.00.15.H15", name="Sở Tư pháp tỉnh Đắk Lắk", kind=AgencyKind.DEPARTMENT, unit=unit
    )


def demo_context() -> dict[str, Any]:
    return {
        "parent_agency": "UBND tỉnh Đắk Lắk",
        "agency": "Sở Tư pháp",
        "number": "123/GKS",
        "place": "Đắk Lắk",
        "issued_on": date(2026, 11, 25),
        "title": "Giấy xác nhận",
        "paragraphs": ["Xác nhận ông Trần Văn Bình đã hoàn thành thủ tục."],
        "position": "KT. Giám đốc",
        "signer_title": "Phó Giám đốc",
        "signer_name": "Nguyễn Thị Hương",
        "recipients": ["Ông Trần Văn Bình"],
    }


def test_service_signs_stores_hash_size_and_audits(agency: Agency) -> None:
    """The service signs the PDF, stores it with its hash and size, and records an audit event."""
    code = new_verification_code()
    pdf = render_result_pdf(template="documents/result_demo.html", context=demo_context(), verification_code=code)
    doc = issued_document_create(
        pdf_unsigned=pdf,
        title="Giấy xác nhận",
        number="123/GKS",
        agency=agency,
        signer_name="Nguyễn Thị Hương",
        actor="test",
        verification_code=code,
    )
    with doc.file.open("rb") as fh:
        stored = fh.read()
    assert doc.verification_code == code
    assert stored != pdf and stored.startswith(pdf)  # incremental update: the original bytes come first
    assert doc.sha256 == hashlib.sha256(stored).hexdigest()
    assert doc.size == len(stored)
    assert doc.signed_by_name == "Nguyễn Thị Hương"
    report = validate_signed_pdf(stored)
    assert report.valid, report.problem
    event = AuditEvent.objects.get(action="documents.issued", object_id=str(doc.pk))
    assert event.summary["sha256"] == doc.sha256
    assert doc.issued_at == doc.signed_at  # a numbered document is issued when signed


def test_service_without_a_number_only_signs(agency: Agency) -> None:
    """Without a number the document is signed but not issued: it waits for the clerk's
    number and the agency's signature, under the symbol it was given."""
    pdf = render_result_pdf(template="documents/result_demo.html", context=demo_context(), verification_code="abc")
    doc = issued_document_create(
        pdf_unsigned=pdf,
        title="Giấy xác nhận",
        number="",
        symbol="GXN",
        agency=agency,
        signer_name="Lê Văn A",
        actor="t",
    )
    assert (doc.number, doc.symbol, doc.issued_at) == ("", "GXN", None)
    assert AuditEvent.objects.filter(action="documents.signed", object_id=str(doc.pk)).exists()
    assert not AuditEvent.objects.filter(action="documents.issued").exists()


def test_verification_codes_are_random_and_url_safe() -> None:
    """Codes are 20 URL-safe characters and differ each time."""
    codes = {new_verification_code() for _ in range(20)}
    assert len(codes) == 20
    assert all(len(c) == 20 and c.replace("-", "").replace("_", "").isalnum() for c in codes)


def test_qr_points_at_the_public_verification_url() -> None:
    """The result context carries a QR code of the absolute verification URL, shown beside it."""
    url = verification_url("abcDEF123")
    assert url == "https://dichvucong.example.vn/xac-thuc/abcDEF123/"
    context = result_pdf_context(context=demo_context(), verification_code="abcDEF123")
    assert context["verification_url"] == url
    assert context["qr_svg"] == qr_svg(url, scale=2)
    assert context["qr_svg"].startswith("<svg")
    assert qr_svg("https://other.example/") != context["qr_svg"]
    assert qr_png_data_uri(url).startswith("data:image/png;base64,")
    html = render_to_string("documents/result_demo.html", context)
    assert context["qr_svg"] in html
    assert url in html
    assert "Quét mã để xác thực" in html
    assert "Cộng hòa xã hội chủ nghĩa Việt Nam" in html and "Số: 123/GKS" in html


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_rendered_result_pdf_prints_the_url(tmp_path: Path) -> None:
    """The PDF itself carries the verification URL and the caption under the QR code."""
    pdf = render_result_pdf(template="documents/result_demo.html", context=demo_context(), verification_code="xyz")
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout
    assert "https://dichvucong.example.vn/xac-thuc/xyz/" in text
    assert "Quét mã để xác thực" in text
