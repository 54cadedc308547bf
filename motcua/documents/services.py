"""Issuing signed results: render with a QR code, sign, store, audit."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.audit import audit_record
from motcua.documents.models import IssuedDocument, _verification_code
from motcua.documents.pdf import render_pdf
from motcua.documents.qr import qr_svg
from motcua.documents.signing import signers

if TYPE_CHECKING:
    from motcua.directory.models import Agency
    from motcua.dossiers.models import Dossier


def verification_path(code: str) -> str:
    """Path of the public verification page for `code` (mounted at /xac-thuc/)."""
    try:
        return reverse("verify:document", args=[code])
    except Exception:  # URLs not mounted (yet): the documented path
        return f"/xac-thuc/{code}/"


def verification_url(doc: IssuedDocument | str, request: HttpRequest | None = None) -> str:
    """Absolute URL of the verification page: from `request` if given, else MOTCUA_PUBLIC_URL."""
    code = doc if isinstance(doc, str) else doc.verification_code
    path = verification_path(code)
    if request is not None:
        return request.build_absolute_uri(path)
    return settings.MOTCUA_PUBLIC_URL.rstrip("/") + path


def new_verification_code() -> str:
    """A fresh code, unused so far (collisions are astronomically unlikely but cheap to rule out)."""
    while True:
        code = _verification_code()
        if not IssuedDocument.objects.filter(verification_code=code).exists():
            return code


def result_pdf_context(*, context: dict[str, Any], verification_code: str) -> dict[str, Any]:
    """`context` plus `qr_svg` and `verification_url` pointing at the verification page."""
    url = verification_url(verification_code)
    return {**context, "qr_svg": qr_svg(url, scale=2), "verification_url": url}


def render_result_pdf(*, template: str, context: dict[str, Any], verification_code: str) -> bytes:
    """Render a result to PDF with its QR code, ready to be signed by `issued_document_create`."""
    return render_pdf(
        template=template, context=result_pdf_context(context=context, verification_code=verification_code)
    )


def issued_document_create(
    *,
    pdf_unsigned: bytes,
    title: str,
    number: str,
    agency: Agency,
    signer_name: str,
    dossier: Dossier | None = None,
    actor: Any,
    verification_code: str | None = None,
) -> IssuedDocument:
    """Sign `pdf_unsigned` in `signer_name`'s name with the active plugin and record it.

    Pass the `verification_code` the PDF's QR code was rendered with (`render_result_pdf`);
    without one a new code is drawn (the PDF then carries no QR code of its own).
    """
    signed = signers.get().sign_pdf(
        pdf=pdf_unsigned,
        signer_name=signer_name,
        reason=_("Phê duyệt kết quả giải quyết thủ tục hành chính: %(number)s") % {"number": number},
        location=agency.name,
    )
    digest = hashlib.sha256(signed).hexdigest()
    with transaction.atomic():
        doc = IssuedDocument(
            verification_code=verification_code or new_verification_code(),
            title=title,
            number=number,
            issuer_agency=agency,
            signed_by_name=signer_name,
            signed_at=timezone.now(),
            sha256=digest,
            size=len(signed),
            dossier=dossier,
        )
        doc.file.save(f"{doc.verification_code}.pdf", ContentFile(signed), save=False)
        doc.save()
        audit_record(
            actor=actor,
            action="documents.issued",
            obj=doc,
            summary={"number": number, "sha256": digest, "signer": signer_name, "size": len(signed)},
        )
    return doc
