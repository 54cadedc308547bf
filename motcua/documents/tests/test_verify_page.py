"""The public verification page reached from the QR code on an issued result."""

import datetime
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import include, path

import motcua.urls
from motcua.directory.constants import AgencyKind, UnitKind
from motcua.directory.models import AdministrativeUnit, Agency
from motcua.documents import verify_views
from motcua.documents.models import IssuedDocument
from motcua.documents.pdf import render_pdf
from motcua.documents.services import issued_document_create, issued_document_seal, verification_path
from motcua.documents.tests.test_bounded_inspection import (  # noqa: F401  (warm_forkserver is a fixture)
    WORST_WAIT_SECONDS,
    spinning_inspector,
    warm_forkserver,
)
from motcua.signatures.signing import DevCASigner, VisibleStamp

# Until motcua/urls.py mounts the page, this module is its own URLconf.
urlpatterns = [path("xac-thuc/", include("motcua.documents.verify_urls")), *motcua.urls.urlpatterns]
pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

APPLICANT = "Trần Văn Bình"


@pytest.fixture(scope="module")
def ca_dir(tmp_path_factory: Any) -> Path:
    return Path(tmp_path_factory.mktemp("var"))


@pytest.fixture(autouse=True)
def _settings(settings: Any, ca_dir: Path) -> None:
    settings.VAR_DIR = ca_dir
    cache.clear()


@pytest.fixture(scope="module")
def unsigned() -> bytes:
    return render_pdf(template="documents/demo_birth_certificate.html", context={"father": APPLICANT})


@pytest.fixture
def agency() -> Agency:
    unit = AdministrativeUnit.objects.create(code="66", name="Tỉnh Đắk Lắk", kind=UnitKind.PROVINCE)
    return Agency.objects.create(
        code="STP", electronic_id="000.00.15.H15", name="Sở Tư pháp tỉnh Đắk Lắk", kind=AgencyKind.DEPARTMENT, unit=unit
    )


@pytest.fixture
def doc(unsigned: bytes, agency: Agency) -> IssuedDocument:
    return issued_document_create(
        pdf_unsigned=unsigned,
        title="Giấy khai sinh",
        number="123/GKS",
        agency=agency,
        signer_name="Nguyễn Thị Hương",
        actor="test",
    )


@pytest.fixture
def leader_signed(unsigned: bytes, agency: Agency) -> IssuedDocument:
    """Signed by the director, not numbered and issued yet."""
    return issued_document_create(
        pdf_unsigned=unsigned,
        title="Giấy khai sinh",
        number="",
        symbol="GKS",
        agency=agency,
        signer_name="Nguyễn Thị Hương",
        actor="test",
    )


def stored(doc: IssuedDocument) -> bytes:
    with doc.file.open("rb") as fh:
        return bytes(fh.read())


def upload(client: Client, doc: IssuedDocument, content: bytes, name: str = "ban-sao.pdf") -> Any:
    return client.post(verification_path(doc.verification_code), {"copy": SimpleUploadedFile(name, content)})


def test_page_shows_what_was_issued_and_a_valid_signature(client: Client, doc: IssuedDocument) -> None:
    """Anyone, without logging in, sees the title, number, agency, signer, hash and 'hợp lệ'."""
    assert verification_path(doc.verification_code) == f"/xac-thuc/{doc.verification_code}/"
    response = client.get(verification_path(doc.verification_code))
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("Giấy khai sinh", "123/GKS", "Sở Tư pháp tỉnh Đắk Lắk", "Nguyễn Thị Hương", doc.sha256):
        assert text in html
    assert "Chữ ký số hợp lệ" in html
    assert "không hợp lệ" not in html


def test_page_shows_no_personal_data(client: Client, doc: IssuedDocument) -> None:
    """The applicant's name printed inside the result never appears on the public page."""
    html = client.get(verification_path(doc.verification_code)).content.decode()
    assert APPLICANT not in html


def test_original_can_be_downloaded(client: Client, doc: IssuedDocument) -> None:
    """The stored original is offered as a download, byte for byte."""
    response = client.get(verification_path(doc.verification_code), {"tai": "1"})
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == stored(doc)  # type: ignore[attr-defined]
    assert "attachment" in response["Content-Disposition"]


def test_identical_copy_matches(client: Client, doc: IssuedDocument) -> None:
    """Uploading the issued file itself says it matches."""
    response = upload(client, doc, stored(doc))
    assert response.status_code == 200
    assert "Bản này trùng khớp với bản đã cấp" in response.content.decode()


def test_tampered_copy_is_invalid(client: Client, doc: IssuedDocument) -> None:
    """A copy with one changed byte does not match and is reported as modified after signing."""
    content = stored(doc)
    position = content.index(b"WeasyPrint")
    tampered = content[:position] + b"V" + content[position + 1 :]
    html = upload(client, doc, tampered).content.decode()
    assert "trùng khớp" not in html
    assert "không có chữ ký số hợp lệ" in html
    assert "bị thay đổi sau khi ký" in html


def test_other_validly_signed_file_is_told_apart(client: Client, doc: IssuedDocument, unsigned: bytes) -> None:
    """A different file signed by our CA is a valid signature, but not this document."""
    other = DevCASigner().sign_pdf(pdf=unsigned, signer_name="Lê Văn Cường", reason="Khác", location="Đắk Lắk")
    html = upload(client, doc, other).content.decode()
    assert "là một văn bản khác" in html
    assert "Lê Văn Cường" in html


def test_non_pdf_upload_is_refused_clearly(client: Client, doc: IssuedDocument) -> None:
    """An image or a text file is refused with a Vietnamese error, not compared."""
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    for content, name in ((b"xin chao", "ghi-chu.txt"), (png, "anh.png"), (png, "anh.pdf")):
        response = upload(client, doc, content, name=name)
        assert response.status_code == 400
        page = response.content.decode()
        # Only PDF is compared here: no word of the images other uploads accept.
        assert f"Tệp “{name}” không phải tệp PDF. Chỉ đối chiếu được văn bản PDF." in page
        assert "JPEG" not in page and "PNG" not in page and "trùng khớp" not in page


def test_uploads_are_rate_limited(client: Client, doc: IssuedDocument, monkeypatch: Any) -> None:
    """Past the hourly limit per address, uploads are refused with a message."""
    monkeypatch.setattr(verify_views, "UPLOADS_PER_HOUR", 1)
    assert upload(client, doc, stored(doc)).status_code == 200
    response = upload(client, doc, stored(doc))
    assert response.status_code == 429
    assert "quá nhiều tệp" in response.content.decode()


def test_unknown_code_is_a_vietnamese_404(client: Client, doc: IssuedDocument) -> None:
    """A code that was never issued gives a 404 page in Vietnamese."""
    response = client.get(verification_path("khong-co-ma-nay"))
    assert response.status_code == 404
    assert "Không tìm thấy văn bản" in response.content.decode()


def test_result_not_issued_yet_is_unknown(client: Client, leader_signed: IssuedDocument) -> None:
    """A result the leader signed but the clerk has not numbered and issued answers like an
    unknown code: no page, no download."""
    path = verification_path(leader_signed.verification_code)
    response = client.get(path)
    assert response.status_code == 404
    assert "Không tìm thấy văn bản" in response.content.decode()
    assert "Nguyễn Thị Hương" not in response.content.decode()
    assert client.get(path, {"tai": "1"}).status_code == 404


def test_issued_result_shows_number_date_and_both_signers(client: Client, leader_signed: IssuedDocument) -> None:
    """Once numbered and sealed with the agency's signature, the page shows the number, the
    date of issue and both signatures, valid."""
    issued_at = datetime.datetime(2026, 11, 26, 9, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    issued_document_seal(
        document=leader_signed,
        number="7/GKS",
        issued_at=issued_at,
        signer_name="Sở Tư pháp tỉnh Đắk Lắk",
        stamp=VisibleStamp(text="Số: 7/GKS\nNgày 26/11/2026", page=0, box=(90, 700, 240, 736)),
        actor="test",
    )
    response = client.get(verification_path(leader_signed.verification_code))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Chữ ký số hợp lệ" in html and "không hợp lệ" not in html
    for text in ("7/GKS", "26/11/2026", "Nguyễn Thị Hương", "Sở Tư pháp tỉnh Đắk Lắk", "Ngày ban hành"):
        assert text in html, text
    signers = html.split('data-testid="signers"')[1].split("</dd>")[0]
    assert signers.index("Nguyễn Thị Hương") < signers.index("Sở Tư pháp tỉnh Đắk Lắk")


@pytest.mark.usefixtures("warm_forkserver")
def test_an_anonymous_upload_that_spins_the_parser_is_refused_within_the_bound(
    client: Client, doc: IssuedDocument, settings: Any, monkeypatch: Any
) -> None:
    """The public upload costs at most the inspection's CPU limit (plus start-up), then a refusal."""
    from motcua.documents import files

    settings.MOTCUA_UPLOAD_INSPECT_CPU_SECONDS = 1
    monkeypatch.setattr(files, "_inspect_content", spinning_inspector)
    started = time.monotonic()
    response = upload(client, doc, stored(doc), name="ban-sao.pdf")
    assert time.monotonic() - started < WORST_WAIT_SECONDS
    assert response.status_code == 400
    assert "Tệp quá phức tạp để kiểm tra: “ban-sao.pdf” cần hơn 1 giây xử lý" in response.content.decode()
    assert "trùng khớp" not in response.content.decode()


def spinning_validation(content: bytes, trust_roots_der: list[bytes]) -> Any:
    """Signature validation caught in an endless loop (pyHanko parses the copy a second time)."""
    while True:
        pass


@pytest.mark.usefixtures("warm_forkserver")
def test_signature_validation_of_an_anonymous_copy_is_bounded_too(
    client: Client, doc: IssuedDocument, unsigned: bytes, settings: Any, monkeypatch: Any
) -> None:
    settings.MOTCUA_UPLOAD_INSPECT_CPU_SECONDS = 1
    monkeypatch.setattr(verify_views, "_validate_copy", spinning_validation)
    started = time.monotonic()
    response = upload(client, doc, unsigned, name="ban-khac.pdf")
    assert time.monotonic() - started < WORST_WAIT_SECONDS
    assert response.status_code == 400
    assert "Tệp quá phức tạp để kiểm tra: “ban-khac.pdf” cần hơn 1 giây xử lý" in response.content.decode()
