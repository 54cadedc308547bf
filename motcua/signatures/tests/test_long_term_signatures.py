"""Issued results signed with the test hierarchy's leader and agency keys, time-stamped by the
PKI simulator's TSA (PAdES B-LTA): our verification page and poppler's pdfsig, trusting only the
test root, agree that every signature is valid and trusted and that a changed file or a revoked
signer is not; the file carries everything needed to verify it without the CA's services."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from motcua.directory.constants import AgencyKind, UnitKind
from motcua.directory.models import AdministrativeUnit, Agency
from motcua.documents.models import IssuedDocument
from motcua.documents.pdf import render_pdf
from motcua.documents.services import issued_document_create, issued_document_seal, verification_path
from motcua.signatures.errors import SigningFailed
from motcua.signatures.pki_simulator import PkiSimulator
from motcua.signatures.signing import VisibleStamp, validate_signed_pdf
from motcua.signatures.testing import hierarchy_pyhanko_signer
from motcua.signatures.tests.conftest import AGENCY_NAME, LEADER_NAME, issued_result_verifies
from motcua.signatures.tests.pdfsig import pdfsig
from motcua.signatures.validation import Verdict

pytestmark = pytest.mark.django_db

LEADER = LEADER_NAME
AGENCY = AGENCY_NAME
SEAL = VisibleStamp(text="Số: 12/STP\nNgày 07/12/2026", page=0, box=(90, 700, 240, 736))


@pytest.fixture(scope="module")
def unsigned() -> bytes:
    return render_pdf(template="documents/demo_birth_certificate.html", context={"father": "Trần Văn Bình"})


@pytest.fixture
def agency() -> Agency:
    unit = AdministrativeUnit.objects.create(code="66", name="Tỉnh Đắk Lắk", kind=UnitKind.PROVINCE)
    return Agency.objects.create(code="STP", name=AGENCY, kind=AgencyKind.DEPARTMENT, unit=unit)


def _issue(unsigned: bytes, agency: Agency) -> IssuedDocument:
    """The leader signs, the agency numbers and seals (with the archive time stamp)."""
    document = issued_document_create(
        pdf_unsigned=unsigned, title="Giấy khai sinh", number="", agency=agency, signer_name=LEADER, actor="test"
    )
    return issued_document_seal(
        document=document,
        number="12/STP",
        issued_at=dt.datetime.now(dt.UTC),
        signer_name=AGENCY,
        stamp=SEAL,
        actor="test",
    )


def _bytes(document: IssuedDocument) -> bytes:
    with document.file.open("rb") as handle:
        return bytes(handle.read())


def _write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_issued_result_is_b_lta_and_pdfsig_and_the_page_agree(
    hierarchy_signing: PkiSimulator, unsigned: bytes, agency: Agency, nss: Path, tmp_path: Path, client: Client
) -> None:
    document = _issue(unsigned, agency)
    content = _bytes(document)

    issued_result_verifies(content, document.verification_code, nss, tmp_path, client)

    # Self-contained (B-LT): with every CA service gone, the chain, the CRL and OCSP answers and
    # the time stamps embedded in the file still prove every signature.
    hierarchy_signing.down = True
    requests = len(hierarchy_signing.requests)
    offline = validate_signed_pdf(content, fetch=False)
    assert offline.valid, offline.problem
    assert len(hierarchy_signing.requests) == requests


def test_changed_file_and_revoked_signer_are_reported_by_pdfsig_and_the_page(
    hierarchy_signing: PkiSimulator, unsigned: bytes, agency: Agency, nss: Path, tmp_path: Path, client: Client
) -> None:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.fields import SigSeedSubFilter
    from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner
    from pyhanko.sign.timestamps import HTTPTimeStamper

    document = _issue(unsigned, agency)
    content = _bytes(document)
    position = content.index(b"WeasyPrint")
    changed = content[:position] + b"V" + content[position + 1 :]
    assert "Signature is Valid" not in pdfsig(_write(tmp_path, "changed.pdf", changed), nss)[0]
    html = client.post(
        verification_path(document.verification_code), {"copy": io.BytesIO(changed)}, format="multipart"
    ).content.decode()
    assert "bị thay đổi sau khi ký" in html

    # Our signing refuses a revoked certificate; a signature made elsewhere with it (time-stamped
    # after its revocation on 2026-01-01) is reported as revoked.
    with pytest.raises(SigningFailed) as refused:
        issued_document_create(
            pdf_unsigned=unsigned,
            title="Giấy khai sinh",
            number="1/X",
            agency=agency,
            signer_name="Lê Thị Thu Hồi",
            actor="test",
        )
    assert refused.value.code == "signing_certificate_revoked"
    out = PdfSigner(
        PdfSignatureMetadata(field_name="ChuKy", subfilter=SigSeedSubFilter.PADES, md_algorithm="sha256"),
        signer=hierarchy_pyhanko_signer(hierarchy_signing, "revoked"),
        timestamper=HTTPTimeStamper(hierarchy_signing.tsa_url),
    ).sign_pdf(IncrementalPdfFileWriter(io.BytesIO(unsigned)))
    revoked = bytes(out.getbuffer())
    assert "Certificate has been Revoked" in pdfsig(_write(tmp_path, "revoked.pdf", revoked), nss)[0]
    report = validate_signed_pdf(revoked)
    assert not report.valid
    assert report.checks[0].verdict == Verdict.REVOKED
    assert "đã bị thu hồi trước thời điểm ký" in report.problem
    IssuedDocument.objects.filter(pk=document.pk).update(sha256="")  # the page shows the stored file's signatures
    document.file.save("revoked.pdf", io.BytesIO(revoked))
    html = client.get(verification_path(document.verification_code)).content.decode()
    assert "Chữ ký số không hợp lệ" in html and "đã bị thu hồi trước thời điểm ký" in html
    api = client.get(reverse("api:verification", args=[document.verification_code])).json()
    assert not api["valid"] and api["signatures"][0]["verdict"] == "revoked"


def test_tsa_down_or_expired_certificate_refuses_the_signature(
    hierarchy_signing: PkiSimulator, unsigned: bytes, agency: Agency
) -> None:
    with pytest.raises(SigningFailed) as refused:
        issued_document_create(
            pdf_unsigned=unsigned,
            title="Giấy khai sinh",
            number="1/X",
            agency=agency,
            signer_name="Phạm Văn Hết Hạn",
            actor="test",
        )
    assert refused.value.code == "signing_certificate_expired"
    hierarchy_signing.down = True
    with pytest.raises(SigningFailed) as refused:
        issued_document_create(
            pdf_unsigned=unsigned, title="Giấy khai sinh", number="1/X", agency=agency, signer_name=LEADER, actor="test"
        )
    assert refused.value.code == "signing_tsa_unavailable"
    assert "dấu thời gian" in refused.value.message
    assert not IssuedDocument.objects.exists()
