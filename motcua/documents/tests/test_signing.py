"""PAdES signing through the dev-ca plugin and validation of signed PDFs, including a
result signed by the leader and then by the issuing agency (Decree 30/2020/NĐ-CP)."""

import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from motcua.documents.pdf import render_pdf
from motcua.signatures.signing import DevCASigner, VisibleStamp, signers, validate_signed_pdf

SIGNER = "Nguyễn Thị Hương"
AGENCY = "Ủy ban nhân dân phường Tân Lập"
SEAL = VisibleStamp(text="Số: 12/TLKS\nNgày 26/11/2026", page=0, box=(90, 700, 240, 736))


@pytest.fixture(scope="module")
def ca_dir(tmp_path_factory: Any) -> Path:
    return Path(tmp_path_factory.mktemp("var"))


@pytest.fixture(autouse=True)
def _var_dir(settings: Any, ca_dir: Path) -> None:
    settings.VAR_DIR = ca_dir
    settings.MOTCUA_PLUGINS = {**settings.MOTCUA_PLUGINS, "signing": "dev-ca"}


@pytest.fixture(scope="module")
def unsigned() -> bytes:
    return render_pdf(template="documents/demo_birth_certificate.html", context={"father": "Trần Văn Bình"})


@pytest.fixture
def signed(unsigned: bytes) -> bytes:
    return signers.get().sign_pdf(pdf=unsigned, signer_name=SIGNER, reason="Phê duyệt", location="Đắk Lắk")


def test_signed_pdf_is_valid_trusted_and_covers_whole_file(signed: bytes) -> None:
    """A freshly signed PDF validates: intact, trusted by the dev CA, covering every byte."""
    report = validate_signed_pdf(signed)
    assert report.valid, report.problem
    assert report.intact and report.trusted and report.covers_whole_file
    assert report.signer_name == SIGNER
    assert report.signed_at is not None
    assert report.problem == ""


def test_dev_ca_is_kept_between_uses(ca_dir: Path, signed: bytes) -> None:
    """The CA is generated once and reused: a new plugin instance trusts earlier signatures."""
    assert (ca_dir / "dev-ca" / "ca.crt").exists()
    assert (ca_dir / "dev-ca" / "ca.key").stat().st_mode & 0o077 == 0
    assert validate_signed_pdf(signed, trust_roots=DevCASigner().trust_roots()).valid


def test_one_modified_byte_is_refused(signed: bytes) -> None:
    """Changing one byte inside the signed range breaks the signature, with a Vietnamese message."""
    position = signed.index(b"WeasyPrint")
    tampered = signed[:position] + b"V" + signed[position + 1 :]
    report = validate_signed_pdf(tampered)
    assert not report.valid
    assert not report.intact
    assert "bị thay đổi sau khi ký" in report.problem


def test_appended_incremental_update_is_refused(signed: bytes) -> None:
    """An incremental update added after signing is not covered by the signature: refused."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    writer.root["/Lang"] = generic.TextStringObject("en")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    report = validate_signed_pdf(out.getvalue())
    assert report.intact
    assert not report.covers_whole_file
    assert not report.valid
    assert "thêm nội dung sau khi ký" in report.problem


def sealed_by_agency(pdf: bytes) -> bytes:
    """The agency's signature added after the leader's, in a field of its own."""
    return signers.get().sign_pdf(
        pdf=pdf, signer_name=AGENCY, reason="Cấp số và ban hành", location="Đắk Lắk", field_name="CoQuan", stamp=SEAL
    )


def with_text_added(pdf: bytes) -> bytes:
    """`pdf` with a line of text drawn on its first page in an incremental update."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page_ref, _path = writer.find_page_for_modification(0)
    page = page_ref.get_object()
    added = writer.add_object(generic.StreamObject(stream_data=b"BT /F1 14 Tf 100 100 Td (Da sua) Tj ET"))
    contents = page.raw_get("/Contents")
    existing = list(contents) if isinstance(contents, generic.ArrayObject) else [contents]
    page["/Contents"] = generic.ArrayObject([*existing, added])
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_leader_then_agency_signatures_are_both_valid(signed: bytes) -> None:
    """The agency's signature appended after the leader's keeps the leader's valid; the report
    names both, the leader first."""
    both = sealed_by_agency(signed)
    assert both.startswith(signed)
    report = validate_signed_pdf(both)
    assert report.valid, report.problem
    assert report.signer_name == SIGNER
    assert report.signers == (SIGNER, AGENCY)
    assert report.covers_whole_file


def test_text_added_after_the_leader_signature_is_refused(signed: bytes) -> None:
    """Text drawn on the page after the leader signed is refused, alone (not covered by any
    signature) and under a later signature (the leader's is then intact, but what was
    changed after it is more than signing: pyhanko's difference analysis)."""
    altered = with_text_added(signed)
    report = validate_signed_pdf(altered)
    assert not report.valid
    assert "thêm nội dung sau khi ký" in report.problem

    resealed = sealed_by_agency(altered)
    report = validate_signed_pdf(resealed)
    assert not report.valid
    assert report.intact  # the leader's signed bytes are there, unchanged
    assert report.signer_name == SIGNER
    assert f"Tệp đã bị sửa sau chữ ký số của {SIGNER}" in report.problem


def test_one_modified_byte_in_a_two_signature_file_is_refused(signed: bytes) -> None:
    """A byte changed in the leader's signed part breaks both signatures."""
    both = sealed_by_agency(signed)
    position = both.index(b"WeasyPrint")
    report = validate_signed_pdf(both[:position] + b"V" + both[position + 1 :])
    assert not report.valid and not report.intact
    assert "bị thay đổi sau khi ký" in report.problem


def test_certificate_from_untrusted_ca_is_refused(unsigned: bytes, tmp_path: Path, settings: Any) -> None:
    """A signature by a certificate of another CA is intact but untrusted, with a message."""
    other = DevCASigner(tmp_path / "other-ca")
    other.trust_roots()  # creates the other CA, which the forger's own installation trusts
    settings.MOTCUA_SIGNING_TRUST_ROOTS = [str(other.ca_cert_path)]
    forged = other.sign_pdf(pdf=unsigned, signer_name=SIGNER, reason="Giả mạo", location="Hà Nội")
    settings.MOTCUA_SIGNING_TRUST_ROOTS = []
    assert validate_signed_pdf(forged, trust_roots=other.trust_roots()).valid  # sanity: good for its own CA
    report = validate_signed_pdf(forged)
    assert report.intact
    assert not report.trusted
    assert not report.valid
    assert "không do tổ chức được tin cậy cấp" in report.problem


def test_pdf_without_signature_is_refused(unsigned: bytes) -> None:
    """A PDF with no signature at all gets a plain message."""
    report = validate_signed_pdf(unsigned)
    assert not report.valid
    assert report.problem == "Tệp không có chữ ký số nào."


def test_garbage_is_refused() -> None:
    """Bytes that are not a PDF are refused, not crashed on."""
    report = validate_signed_pdf(b"%PDF-1.7\nnot really a pdf")
    assert not report.valid
    assert "không đọc được" in report.problem


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_stamp_shows_signer_with_diacritics(signed: bytes, tmp_path: Path) -> None:
    """The visible stamp on the last page names the signer, Vietnamese diacritics intact."""
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout
    assert f"Ký bởi: {SIGNER}" in text
    assert "Thời gian: " in text


def test_signing_and_validation_work_inside_a_running_event_loop(unsigned: bytes) -> None:
    """pyhanko calls asyncio.run(); under an async server (or after browser tests) a loop is
    already running in the thread, and signing must still work."""
    import asyncio
    import threading

    async def inside_loop() -> bool:
        pdf = signers.get().sign_pdf(pdf=unsigned, signer_name=SIGNER, reason="Phê duyệt", location="Đắk Lắk")
        return validate_signed_pdf(pdf).valid

    # A thread of its own, so the test does not depend on whether this thread already runs a
    # loop (Playwright's, when browser tests ran first).
    outcome: list[bool] = []
    thread = threading.Thread(target=lambda: outcome.append(asyncio.run(inside_loop())))
    thread.start()
    thread.join()
    assert outcome == [True]


def test_a_signer_name_longer_than_a_certificate_allows_still_signs(unsigned: bytes) -> None:
    """A ward's service centre seals with a name of 100 UTF-8 bytes, over X.520's 64: the
    certificate names it cut at a word with an ellipsis instead of refusing to sign."""
    centre = "Trung tâm Phục vụ hành chính công phường Buôn Ma Thuột"
    assert len(centre.encode()) > 64
    signed = signers.get().sign_pdf(pdf=unsigned, signer_name=centre, reason="Phát hành", location="Đắk Lắk")
    report = validate_signed_pdf(signed)
    assert report.valid, report.problem
    assert report.signer_name == "Trung tâm Phục vụ hành chính công phường Buôn Ma…"
