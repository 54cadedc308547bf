"""Issued results signed with the test hierarchy's leader and agency keys, time-stamped by the
PKI simulator's TSA (PAdES B-LTA): our verification page and poppler's pdfsig, trusting only the
test root, agree that every signature is valid and trusted and that a changed file or a revoked
signer is not; the file carries everything needed to verify it without the CA's services."""

import datetime as dt
import hashlib
import io
from pathlib import Path
from typing import Any

import httpx
import pytest
import time_machine
from asn1crypto import crl as asn1_crl
from django.test import Client
from django.urls import reverse

from motcua.core.models import AuditEvent
from motcua.directory.constants import AgencyKind, UnitKind
from motcua.directory.models import AdministrativeUnit, Agency
from motcua.documents.models import IssuedDocument
from motcua.documents.pdf import render_pdf
from motcua.documents.services import issued_document_create, issued_document_seal, verification_path
from motcua.documents.tasks import archive_timestamps_renew_due
from motcua.signatures.errors import SigningFailed
from motcua.signatures.hierarchy import tsa_url
from motcua.signatures.pki_simulator import PkiSimulator
from motcua.signatures.signing import VisibleStamp, validate_signed_pdf
from motcua.signatures.testing import hierarchy_pyhanko_signer
from motcua.signatures.tests.conftest import AGENCY_NAME, LEADER_NAME, TSA_NAME, issued_result_verifies
from motcua.signatures.tests.pdfsig import pdfsig
from motcua.signatures.validation import Verdict

pytestmark = pytest.mark.django_db

LEADER = LEADER_NAME
AGENCY = AGENCY_NAME
TSA = TSA_NAME
SEAL = VisibleStamp(text="Số: 12/STP\nNgày 07/12/2026", page=0, box=(90, 700, 240, 736))


@pytest.fixture(scope="module")
def unsigned() -> bytes:
    return render_pdf(template="documents/demo_birth_certificate.html", context={"father": "Trần Văn Bình"})


@pytest.fixture
def agency() -> Agency:
    unit = AdministrativeUnit.objects.create(code="66", name="Tỉnh Đắk Lắk", kind=UnitKind.PROVINCE)
    return Agency.objects.create(code="STP", name=AGENCY, kind=AgencyKind.DEPARTMENT, unit=unit)


def _signed(unsigned: bytes, agency: Agency, *, signer_name: str = LEADER, number: str = "") -> IssuedDocument:
    """The result signed by `signer_name`, not yet sealed."""
    return issued_document_create(
        pdf_unsigned=unsigned,
        title="Giấy khai sinh",
        number=number,
        agency=agency,
        signer_name=signer_name,
        actor="test",
    )


def _issue(unsigned: bytes, agency: Agency, *, signer_name: str = LEADER) -> IssuedDocument:
    """The leader signs, the agency numbers and seals (with the archive time stamp)."""
    document = _signed(unsigned, agency, signer_name=signer_name)
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
        _signed(unsigned, agency, signer_name="Lê Thị Thu Hồi", number="1/X")
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
        _signed(unsigned, agency, signer_name="Phạm Văn Hết Hạn", number="1/X")
    assert refused.value.code == "signing_certificate_expired"
    hierarchy_signing.down = True
    with pytest.raises(SigningFailed) as refused:
        _signed(unsigned, agency, signer_name=LEADER, number="1/X")
    assert refused.value.code == "signing_tsa_unavailable"
    assert "dấu thời gian" in refused.value.message
    assert not IssuedDocument.objects.exists()


# The leader's certificate is valid to 2035-01-01; "revoked-later"'s is revoked from 2030-01-01.
AFTER_LEADER_EXPIRY = dt.datetime(2036, 6, 1, tzinfo=dt.UTC)
AFTER_REVOCATION = dt.datetime(2031, 6, 1, tzinfo=dt.UTC)
REVOKED_LATER = "Đỗ Văn Thu Hồi Sau"


def _page_and_api_say_valid(client: Client, code: str, signatures: int = 3) -> None:
    html = client.get(verification_path(code)).content.decode()
    assert "Chữ ký số hợp lệ" in html and "không hợp lệ" not in html
    assert html.count("còn hiệu lực và chưa bị thu hồi tại thời điểm ký") == signatures
    api = client.get(reverse("api:verification", args=[code])).json()
    assert api["valid"] and [s["verdict"] for s in api["signatures"]] == ["trusted"] * signatures


def test_result_still_verifies_after_the_leaders_certificate_expired(
    hierarchy_signing: PkiSimulator, unsigned: bytes, agency: Agency, client: Client
) -> None:
    document = _issue(unsigned, agency)
    content = _bytes(document)
    with time_machine.travel(AFTER_LEADER_EXPIRY, tick=True):
        # The whole process travels, the PKI simulator too: its CRLs and OCSP answers are of
        # 2036, and the leader's certificate is no longer in them. The signatures are judged
        # at their time stamps (2026) with the answers embedded then; the archive time stamp
        # (its TSA certificate valid to 2040) is judged now, with a CRL fetched now.
        report = validate_signed_pdf(content)
        assert report.valid, report.problem
        assert [check.verdict for check in report.checks] == [Verdict.TRUSTED] * 3
        assert report.signed_at is not None and report.signed_at < AFTER_LEADER_EXPIRY - dt.timedelta(days=365)
        _page_and_api_say_valid(client, document.verification_code)
        # Offline, nothing proves the archive time stamp's TSA certificate was not revoked
        # since: ETSI EN 319 102-1 judges the last time stamp now, and the CRL of 2026 is stale.
        offline = validate_signed_pdf(content, fetch=False)
        assert not offline.valid and offline.checks[-1].verdict == Verdict.REVOCATION_UNKNOWN


def test_signature_before_the_revocation_stays_valid_one_after_it_is_revoked(
    hierarchy_signing: PkiSimulator, unsigned: bytes, agency: Agency, client: Client
) -> None:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.fields import SigSeedSubFilter
    from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner
    from pyhanko.sign.timestamps import HTTPTimeStamper

    serial = hierarchy_signing.arch.get_cert("revoked-later").serial_number
    assert serial not in _revoked_serials(hierarchy_signing)
    document = _issue(unsigned, agency, signer_name=REVOKED_LATER)
    content = _bytes(document)
    with time_machine.travel(AFTER_REVOCATION, tick=True):
        assert serial in _revoked_serials(hierarchy_signing)
        report = validate_signed_pdf(content)
        assert report.valid, report.problem
        assert report.signers[0] == REVOKED_LATER and report.checks[0].verdict == Verdict.TRUSTED
        _page_and_api_say_valid(client, document.verification_code)

        # The same key signing after the revocation (time stamp of 2031): revoked.
        out = PdfSigner(
            PdfSignatureMetadata(field_name="ChuKy", subfilter=SigSeedSubFilter.PADES, md_algorithm="sha256"),
            signer=hierarchy_pyhanko_signer(hierarchy_signing, "revoked-later"),
            timestamper=HTTPTimeStamper(hierarchy_signing.tsa_url),
        ).sign_pdf(IncrementalPdfFileWriter(io.BytesIO(unsigned)))
        late = validate_signed_pdf(bytes(out.getbuffer()))
        assert not late.valid and late.checks[0].verdict == Verdict.REVOKED
        assert late.signed_at is not None and late.signed_at.year == AFTER_REVOCATION.year
        assert "đã bị thu hồi trước thời điểm ký" in late.problem
        IssuedDocument.objects.filter(pk=document.pk).update(sha256="")
        document.file.save("late.pdf", io.BytesIO(bytes(out.getbuffer())))
        html = client.get(verification_path(document.verification_code)).content.decode()
        assert "Chữ ký số không hợp lệ" in html and "đã bị thu hồi trước thời điểm ký" in html


def _revoked_serials(simulator: PkiSimulator) -> set[int]:
    """The serial numbers on the issuing CA's CRL the simulator serves now."""
    crl = asn1_crl.CertificateList.load(httpx.get(f"{simulator.url}/motcua-test/crls/issuing/latest.crl").content)
    return {entry["user_certificate"].native for entry in crl["tbs_cert_list"]["revoked_certificates"] or []}


def test_archive_time_stamp_renewed_before_its_tsa_certificate_expires_keeps_the_result_verifiable(
    hierarchy_signing: PkiSimulator, unsigned: bytes, agency: Agency, client: Client, settings: Any
) -> None:
    document = _issue(unsigned, agency)
    original = _bytes(document)
    # The TSA's certificate ("tsa") expires on 2040-01-01; its next one ("tsa-next") from 2038.
    assert document.archive_timestamp_expires_at == dt.datetime(2040, 1, 1, tzinfo=dt.UTC)
    assert archive_timestamps_renew_due.call() == {"renewed": 0, "failed": 0}  # not due for years

    settings.MOTCUA_SIGNING_TSA_URL = tsa_url(hierarchy_signing.url, "tsa-next")
    with time_machine.travel(dt.datetime(2039, 9, 1, tzinfo=dt.UTC), tick=True):
        hierarchy_signing.down = True
        assert archive_timestamps_renew_due.call() == {"renewed": 0, "failed": 1}
        assert _bytes(IssuedDocument.objects.get(pk=document.pk)) == original
        hierarchy_signing.down = False
        assert archive_timestamps_renew_due.call() == {"renewed": 1, "failed": 0}
    document.refresh_from_db()
    renewed = _bytes(document)
    assert renewed.startswith(original) and document.sha256 == hashlib.sha256(renewed).hexdigest()
    assert document.earlier_sha256 == [hashlib.sha256(original).hexdigest()]
    assert document.archive_timestamp_expires_at == dt.datetime(2049, 1, 1, tzinfo=dt.UTC)
    assert AuditEvent.objects.filter(action="documents.archive_renewed", object_id=str(document.pk)).count() == 1

    with time_machine.travel(dt.datetime(2045, 6, 1, tzinfo=dt.UTC), tick=True):
        # Past the first TSA certificate: the old archive time stamp is judged at the renewed
        # one's time (2039), the signatures at theirs (2026).
        report = validate_signed_pdf(renewed)
        assert report.valid, report.problem
        assert [check.signer_name for check in report.checks[2:]] == [TSA, f"{TSA} 2038"]
        assert all(check.verdict == Verdict.TRUSTED for check in report.checks)
        assert report.checks[-1].covers_whole_file
        _page_and_api_say_valid(client, document.verification_code, signatures=4)
        # Without the renewal nothing vouches for the 2026 archive time stamp any more.
        stale = validate_signed_pdf(original)
        assert not stale.valid and stale.checks[-1].verdict == Verdict.EXPIRED
        # A copy handed out before the renewal is still the issued document.
        html = client.post(
            verification_path(document.verification_code), {"copy": io.BytesIO(original)}, format="multipart"
        ).content.decode()
        assert "Bản này trùng khớp với bản đã cấp." in html
