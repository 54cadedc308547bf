"""Issuing signed results: render with a QR code, sign, store, audit; then number and seal
them with the issuing agency's signature (Decree 30/2020/NĐ-CP)."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.audit import audit_record
from motcua.core.errors import ApplicationError
from motcua.documents.heading import HeadingField, heading_fields_fill
from motcua.documents.models import IssuedDocument, _verification_code
from motcua.documents.pdf import render_pdf
from motcua.documents.qr import qr_svg
from motcua.signatures.signing import (
    VisibleStamp,
    archive_timestamp_add,
    archive_timestamp_expiry,
    archive_timestamp_renew,
    signers,
)

if TYPE_CHECKING:
    from motcua.directory.models import Agency
    from motcua.dossiers.models import Dossier

# The issuing agency's signature, added by the clerk after the leader's ("ChuKy").
SEAL_FIELD_NAME = "CoQuan"


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
    symbol: str = "",
    confirmation: str = "",
) -> IssuedDocument:
    """Sign `pdf_unsigned` in `signer_name`'s name with the active plugin and record it.

    With a `number` the document is issued at once (`issued_at` now; audit
    `documents.issued`). With `number=""` it is only signed (audit `documents.signed`): it
    waits for the clerk to number it under `symbol` and seal it (`issued_document_seal`),
    and until then the verification page does not know it.

    Pass the `verification_code` the PDF's QR code was rendered with (`render_result_pdf`);
    without one a new code is drawn (the PDF then carries no QR code of its own).
    `confirmation` is what the signer typed for the plugin (`Signer.confirmation`).
    """
    what = number or title
    signed = signers.get().sign_pdf(
        pdf=pdf_unsigned,
        signer_name=signer_name,
        reason=_("Phê duyệt kết quả giải quyết thủ tục hành chính: %(number)s") % {"number": what},
        location=agency.name,
        confirmation=confirmation,
    )
    if number:  # issued at once: sealed with the archive time stamp (PAdES B-LTA)
        signed = archive_timestamp_add(signed)
    digest = hashlib.sha256(signed).hexdigest()
    now = timezone.now()
    with transaction.atomic():
        doc = IssuedDocument(
            verification_code=verification_code or new_verification_code(),
            title=title,
            number=number,
            symbol=symbol,
            issuer_agency=agency,
            signed_by_name=signer_name,
            signed_at=now,
            issued_at=now if number else None,
            sha256=digest,
            size=len(signed),
            dossier=dossier,
        )
        doc.file.save(f"{doc.verification_code}.pdf", ContentFile(signed), save=False)
        doc.save()
        audit_record(
            actor=actor,
            action="documents.issued" if number else "documents.signed",
            obj=doc,
            summary={"number": number, "sha256": digest, "signer": signer_name, "size": len(signed)},
        )
    return doc


def issued_document_seal(
    *,
    document: IssuedDocument,
    number: str,
    issued_at: datetime.datetime,
    signer_name: str,
    stamp: VisibleStamp,
    actor: Any,
    heading_fields: list[HeadingField] | None = None,
    heading_values: Mapping[str, str] | None = None,
    confirmation: str = "",
) -> IssuedDocument:
    """Issue a signed, unnumbered `document`: add the issuing agency's signature in
    `signer_name` (the agency's name), whose visible `stamp` shows `number` and the date of
    issue, and record `number`, `issued_at` and the sealed file (audit `documents.sealed`).

    `heading_values` fill the heading's text fields `heading_fields` (the number and the
    date, Decree 30/2020/NĐ-CP) in an incremental update the agency's signature covers.
    The agency's signature is appended as an incremental update in its own field
    (`SEAL_FIELD_NAME`), so the leader's signature stays valid. The number must already be
    taken from the register by the caller, in the transaction this runs in. The file is
    saved under a new name; the leader-only file is deleted once the transaction commits (it
    is the first revision of the sealed one, so nothing is lost). `confirmation` is what the
    clerk typed for the plugin (the organisation token's PIN, a code).
    """
    if document.issued_at is not None:
        raise ApplicationError(_("Văn bản này đã được cấp số và ban hành."), code="document_already_issued")
    with document.file.open("rb") as fh:
        content = bytes(fh.read())
    if hashlib.sha256(content).hexdigest() != document.sha256:
        raise ApplicationError(
            _("Tệp văn bản không khớp với bản lãnh đạo đã ký, không thể cấp số và ban hành."),
            code="document_file_mismatch",
        )
    if heading_fields and heading_values:
        content = heading_fields_fill(content, heading_fields, heading_values)
    sealed = signers.get().sign_pdf(
        pdf=content,
        signer_name=signer_name,
        reason=_("Cấp số và ban hành văn bản: %(number)s") % {"number": number},
        location=document.issuer_agency.name,
        field_name=SEAL_FIELD_NAME,
        stamp=stamp,
        seal=True,
        confirmation=confirmation,
    )
    # The last signature: an archive time stamp seals it and its validation material (B-LTA).
    sealed = archive_timestamp_add(sealed)
    digest = hashlib.sha256(sealed).hexdigest()
    leader_only = document.file.name
    storage = document.file.storage
    with transaction.atomic():
        document.number = number
        document.issued_at = issued_at
        document.sha256 = digest
        document.size = len(sealed)
        document.archive_timestamp_expires_at = archive_timestamp_expiry(sealed)
        document.file.save(f"{document.verification_code}.pdf", ContentFile(sealed), save=False)
        document.save(update_fields=["number", "issued_at", "sha256", "size", "archive_timestamp_expires_at", "file"])
        audit_record(
            actor=actor,
            action="documents.sealed",
            obj=document,
            summary={"number": number, "sha256": digest, "signer": signer_name, "size": len(sealed)},
        )
        if document.file.name != leader_only:  # never when a storage overwrites same-named files
            transaction.on_commit(lambda: storage.delete(leader_only))
    return document


def issued_document_archive_renew(*, document: IssuedDocument, actor: Any) -> IssuedDocument:
    """Renew the archive time stamp of an issued result before its TSA's certificate expires
    (PAdES B-LTA): a new document time stamp, after the current validation material of the
    last one, is appended to the file; audit `documents.archive_renewed`. Raises
    `SigningFailed` when the TSA does not answer (the file is left as it was)."""
    with transaction.atomic():
        document = IssuedDocument.objects.select_for_update().get(pk=document.pk)
        with document.file.open("rb") as fh:
            content = bytes(fh.read())
        if hashlib.sha256(content).hexdigest() != document.sha256:
            raise ApplicationError(
                _("Tệp văn bản không khớp với bản đã ban hành, không thể gia hạn dấu thời gian lưu trữ."),
                code="document_file_mismatch",
            )
        renewed = archive_timestamp_renew(content)
        previous, old_name, storage = document.sha256, document.file.name, document.file.storage
        document.earlier_sha256 = [*document.earlier_sha256, previous]
        document.sha256 = hashlib.sha256(renewed).hexdigest()
        document.size = len(renewed)
        document.archive_timestamp_expires_at = archive_timestamp_expiry(renewed)
        document.file.save(f"{document.verification_code}.pdf", ContentFile(renewed), save=False)
        document.save(update_fields=["earlier_sha256", "sha256", "size", "archive_timestamp_expires_at", "file"])
        audit_record(
            actor=actor,
            action="documents.archive_renewed",
            obj=document,
            summary={
                "previous_sha256": previous,
                "sha256": document.sha256,
                "expires_at": document.archive_timestamp_expires_at.isoformat()
                if document.archive_timestamp_expires_at
                else "",
            },
        )
        if document.file.name != old_name:  # the renewed file holds the old one as its prefix
            transaction.on_commit(lambda: storage.delete(old_name))
    return document
