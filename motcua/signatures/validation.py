"""Long-term validation of one PDF signature or document time stamp (pyhanko's PAdES/AdES
validation, ETSI EN 319 102-1), and what it means in words for the verification page and API.

A signature is judged at the time its RFC 3161 time stamp proves (or now, without one),
against the trust list (`motcua.signatures.trust`), with the chain and the CRL/OCSP answers
embedded in the file; a certificate that declares revocation services must have an answer
(embedded, or fetched when `fetch` allows), one that declares none (the demo CA's) needs none.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from asn1crypto.x509 import Certificate
    from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
    from pyhanko.sign.validation.policy_decl import PdfSignatureValidationSpec
    from pyhanko_certvalidator import ValidationContext


class Verdict(enum.StrEnum):
    TRUSTED = "trusted"
    TAMPERED = "tampered"
    INVALID = "invalid"
    UNTRUSTED = "untrusted"
    REVOKED = "revoked"
    EXPIRED = "expired"
    REVOCATION_UNKNOWN = "revocation_unknown"


@dataclass(frozen=True)
class SignatureCheck:
    """One signature (or document time stamp) of a file, in signing order."""

    signer_name: str
    organisation: str  # the certificate's organisation and unit
    signed_at: dt.datetime | None  # from the time stamp when `timestamped`, else the signer's claim
    timestamped: bool
    tsa_name: str  # the time-stamping authority's name
    intact: bool
    covers_whole_file: bool
    verdict: Verdict
    document_timestamp: bool = False
    changed_after: bool = False  # the file was changed after it in a way signatures do not allow

    @property
    def trusted(self) -> bool:
        return self.verdict == Verdict.TRUSTED

    @property
    def verdict_text(self) -> str:
        return str(VERDICT_TEXT[self.verdict]())


# Vietnamese verdicts, shown on the verification page and in the API (`verdict_text`).
VERDICT_TEXT = {
    Verdict.TRUSTED: lambda: _(
        "Hợp lệ: chứng thư số do tổ chức được tin cậy cấp, còn hiệu lực và chưa bị thu hồi tại thời điểm ký."
    ),
    Verdict.TAMPERED: lambda: _("Không hợp lệ: nội dung đã bị thay đổi sau khi ký."),
    Verdict.INVALID: lambda: _("Không hợp lệ: chữ ký số không đúng."),
    Verdict.UNTRUSTED: lambda: _("Không xác nhận được: chứng thư số không do tổ chức được tin cậy cấp."),
    Verdict.REVOKED: lambda: _("Không hợp lệ: chứng thư số đã bị thu hồi trước thời điểm ký."),
    Verdict.EXPIRED: lambda: _("Không hợp lệ: chứng thư số đã hết hạn hoặc chưa có hiệu lực tại thời điểm ký."),
    Verdict.REVOCATION_UNKNOWN: lambda: _(
        "Chưa xác nhận được: không có thông tin thu hồi (CRL/OCSP) của chứng thư số tại thời điểm ký."
    ),
}


def _ades_verdict(subindication: Any) -> Verdict:
    from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate, AdESPassed

    if subindication == AdESPassed.OK:
        return Verdict.TRUSTED
    if subindication == AdESFailure.HASH_FAILURE:
        return Verdict.TAMPERED
    if subindication in {AdESFailure.REVOKED, AdESIndeterminate.REVOKED_NO_POE, AdESIndeterminate.REVOKED_CA_NO_POE}:
        return Verdict.REVOKED
    if subindication in {
        AdESFailure.NOT_YET_VALID,
        AdESIndeterminate.EXPIRED,
        AdESIndeterminate.NOT_YET_VALID,
        AdESIndeterminate.OUT_OF_BOUNDS_NO_POE,
        AdESIndeterminate.OUT_OF_BOUNDS_NOT_REVOKED,
    }:
        return Verdict.EXPIRED
    if subindication in {AdESIndeterminate.TRY_LATER, AdESIndeterminate.REVOCATION_OUT_OF_BOUNDS_NO_POE}:
        return Verdict.REVOCATION_UNKNOWN
    if subindication in {
        AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND,
        AdESIndeterminate.CHAIN_CONSTRAINTS_FAILURE,
        AdESIndeterminate.CERTIFICATE_CHAIN_GENERAL_FAILURE,
        AdESIndeterminate.NO_SIGNING_CERTIFICATE_FOUND,
    }:
        return Verdict.UNTRUSTED
    return Verdict.INVALID


def validation_spec(roots: list[Certificate], *, fetch: bool) -> PdfSignatureValidationSpec:
    """Trust `roots`; require revocation answers for certificates that declare a service;
    fetch missing answers online only when `fetch` (never for an anonymous upload: its
    certificates could point anywhere, so only what the file embeds counts)."""
    from pyhanko.sign.validation.policy_decl import (
        CertificateFetchingRule,
        PdfSignatureValidationSpec,
        RevinfoOnlineFetchingRule,
        RevocationInfoGatheringSpec,
        SignatureValidationSpec,
    )
    from pyhanko_certvalidator.context import CertValidationPolicySpec
    from pyhanko_certvalidator.policy_decl import CertRevTrustPolicy, RevocationCheckingPolicy, RevocationCheckingRule
    from pyhanko_certvalidator.registry import SimpleTrustManager

    if_declared = RevocationCheckingRule.CHECK_IF_DECLARED
    gathering = (
        RevocationInfoGatheringSpec()
        if fetch
        else RevocationInfoGatheringSpec(
            online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY,
            certificate_fetching_rule=CertificateFetchingRule.NEVER_FETCH,
        )
    )
    return PdfSignatureValidationSpec(
        SignatureValidationSpec(
            cert_validation_policy=CertValidationPolicySpec(
                trust_manager=SimpleTrustManager.build(trust_roots=roots),
                revinfo_policy=CertRevTrustPolicy(
                    RevocationCheckingPolicy(ee_certificate_rule=if_declared, intermediate_ca_cert_rule=if_declared)
                ),
            ),
            revinfo_gathering_policy=gathering,
        )
    )


def _name(cert: Certificate | None) -> tuple[str, str]:
    """(common name, "unit, organisation") of a certificate's subject."""
    if cert is None:
        return "", ""
    subject = cert.subject.native
    organisation = ", ".join(
        str(subject[key]) for key in ("organizational_unit_name", "organization_name") if subject.get(key)
    )
    return str(subject.get("common_name", "")), organisation


def document_timestamp_time(sig: EmbeddedPdfSignature) -> dt.datetime | None:
    """The time a document time stamp states (None for a signature)."""
    if sig.sig_object_type != "/DocTimeStamp":
        return None
    return sig.signed_data["encap_content_info"]["content"].parsed["gen_time"].native


def signature_check(
    sig: EmbeddedPdfSignature, roots: list[Certificate], *, fetch: bool, renewed_at: dt.datetime | None = None
) -> tuple[SignatureCheck, Any]:
    """Validate one signature or document time stamp of a file, against `roots`; also returns
    pyhanko's status, whose difference analysis the caller judges. Raises when the signature
    cannot be read.

    A document time stamp covered by a later one (an archive time stamp renewed before its
    TSA certificate expired, `renewed_at` the later one's time) is judged at that time, with
    the validation material the renewal embedded: the later time stamp proves it existed
    then (its own validity the caller checks as the next one).

    A time-stamped signature gets the long-term validation (the time stamp proves when it was
    made, the embedded material what the certificate's status was then); one without a time
    stamp (results signed before the platform had a TSA) is judged now, as before.
    """
    from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
    from pyhanko.sign.validation.ades import ades_lta_validation
    from pyhanko.sign.validation.generic_cms import extract_tst_data_iter
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    if sig.sig_object_type == "/DocTimeStamp":
        stamp_status = validate_pdf_timestamp(
            sig, validation_context=_context_with_dss(sig, roots, fetch=fetch, moment=renewed_at)
        )
        tsa_name, organisation = _name(sig.signer_cert)
        return SignatureCheck(
            signer_name=tsa_name,
            organisation=organisation,
            signed_at=stamp_status.timestamp,
            timestamped=True,
            tsa_name=tsa_name,
            intact=bool(stamp_status.intact),
            covers_whole_file=stamp_status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
            verdict=_status_verdict(stamp_status),
            document_timestamp=True,
        ), stamp_status
    if next(extract_tst_data_iter(sig.signer_info, signed=False), None) is None:
        status = validate_pdf_signature(sig, signer_validation_context=_context_with_dss(sig, roots, fetch=fetch))
        verdict = _status_verdict(status)
    else:
        result = asyncio.run(ades_lta_validation(sig, validation_spec(roots, fetch=fetch)))
        if result.api_status is None:
            raise ValueError(result.failure_msg or "unreadable signature")
        status = result.api_status
        verdict = Verdict.TAMPERED if not status.intact else _ades_verdict(result.ades_subindic)
        if verdict == Verdict.INVALID and status.valid:
            # No proof of existence before a problem found at the current time: that problem.
            verdict = _status_verdict(status)
        if verdict != Verdict.TRUSTED and status.revocation_details is not None:
            verdict = Verdict.REVOKED
    signer_name, organisation = _name(status.signing_cert)
    stamp = status.timestamp_validity
    return SignatureCheck(
        signer_name=signer_name,
        organisation=organisation,
        signed_at=stamp.timestamp if stamp is not None else status.signer_reported_dt,
        timestamped=stamp is not None and stamp.valid and stamp.intact,
        tsa_name=_name(stamp.signing_cert)[0] if stamp is not None else "",
        intact=bool(status.intact),
        covers_whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        verdict=verdict,
    ), status


def _status_verdict(status: Any) -> Verdict:
    if not status.intact:
        return Verdict.TAMPERED
    if not status.valid:
        return Verdict.INVALID
    if not status.trusted:
        return _ades_verdict(status.trust_problem_indic) if status.trust_problem_indic else Verdict.UNTRUSTED
    return Verdict.TRUSTED


def _context_with_dss(
    sig: EmbeddedPdfSignature, roots: list[Certificate], *, fetch: bool, moment: dt.datetime | None = None
) -> ValidationContext:
    """A validation context holding the chain and revocation answers of the document security
    store, judging at `moment` (default now); a service that cannot be reached soft-fails (a
    certificate found revoked fails). Nothing is fetched for a past moment: the answers of
    then are the file's."""
    from pyhanko.sign.validation.dss import DocumentSecurityStore
    from pyhanko.sign.validation.errors import NoDSSFoundError
    from pyhanko_certvalidator import ValidationContext

    context_kwargs: dict[str, Any] = {
        "trust_roots": roots,
        "allow_fetching": fetch and moment is None,
        "revocation_mode": "soft-fail",
        "moment": moment,
    }
    try:
        return DocumentSecurityStore.read_dss(sig.reader).as_validation_context(context_kwargs)
    except NoDSSFoundError:
        return ValidationContext(**context_kwargs)
