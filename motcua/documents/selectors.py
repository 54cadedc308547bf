"""Reads for the public verification of issued results (page and API)."""

from __future__ import annotations

from motcua.documents.models import IssuedDocument
from motcua.signatures.signing import SignatureReport, validate_signed_pdf


def issued_document_for_verification(code: str) -> IssuedDocument | None:
    """The issued result with verification code `code`; a signed result the clerk has not
    numbered and issued yet is unknown (its QR code only works once it is issued)."""
    return (
        IssuedDocument.objects.select_related("issuer_agency")
        .filter(verification_code=code, issued_at__isnull=False)
        .first()
    )


def issued_document_report(document: IssuedDocument) -> SignatureReport:
    """The stored file's signatures, judged against the trust list (revocation answers the
    file lacks are fetched: the file is ours, its certificates chain to trusted roots)."""
    with document.file.open("rb") as handle:
        return validate_signed_pdf(bytes(handle.read()))
