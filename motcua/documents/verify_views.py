"""Public verification of issued results, reached from the QR code printed on them.

Shows what was issued, by whom and when (never the applicant's personal data), checks the
stored file's signatures, offers the original for download and compares an uploaded copy.
A result the leader signed but the clerk has not numbered and issued yet is unknown here:
its QR code only works once it is issued.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from motcua.accounts.services import client_ip
from motcua.core.errors import ApplicationError
from motcua.documents.bounded import run_bounded
from motcua.documents.files import inspect_upload, private_file_response, safe_file_name
from motcua.documents.models import IssuedDocument
from motcua.documents.selectors import issued_document_for_verification, issued_document_report
from motcua.signatures.signing import SignatureReport, validate_signed_pdf
from motcua.signatures.trust import trust_roots

UPLOADS_PER_HOUR = 20
UPLOAD_MAX_BYTES = 10 * 1024 * 1024
PDF_MAGIC = b"%PDF-"


class CopyForm(forms.Form):
    copy = forms.FileField(
        label=gettext_lazy("Tệp PDF cần đối chiếu"),
        help_text=gettext_lazy("Chỉ nhận tệp PDF, tối đa 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )


@dataclass(frozen=True)
class CopyResult:
    kind: str  # "match", "other_valid" or "invalid"
    message: str
    report: SignatureReport | None = None


def _rate_limited(request: HttpRequest) -> bool:
    key = f"verify-upload:{client_ip(request)}"
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        count = 1
    return count > UPLOADS_PER_HOUR


def _validate_copy(content: bytes, trust_roots_der: list[bytes]) -> SignatureReport:
    """Run in a bounded child: pyHanko parses the anonymous upload a second time. Only the
    validation material the file embeds counts: nothing is fetched from the addresses an
    anonymous file names."""
    from asn1crypto.x509 import Certificate

    return validate_signed_pdf(content, trust_roots=[Certificate.load(der) for der in trust_roots_der], fetch=False)


def _compare(doc: IssuedDocument, content: bytes, display: str) -> CopyResult:
    if hashlib.sha256(content).hexdigest() in {doc.sha256, *doc.earlier_sha256}:
        return CopyResult("match", _("Bản này trùng khớp với bản đã cấp."))
    roots = [root.dump() for root in trust_roots()]
    report = run_bounded(_validate_copy, content, roots, display=display)
    if report.valid:
        return CopyResult(
            "other_valid",
            _(
                "Bản này có chữ ký số hợp lệ của %(signer)s nhưng là một văn bản khác, "
                "không phải văn bản đã cấp với mã xác thực này."
            )
            % {"signer": report.signer_name},
            report,
        )
    return CopyResult(
        "invalid",
        _("Bản này không khớp với bản đã cấp và không có chữ ký số hợp lệ: %(problem)s") % {"problem": report.problem},
        report,
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def verify(request: HttpRequest, code: str) -> HttpResponseBase:
    doc = issued_document_for_verification(code)
    if doc is None:
        return render(request, "documents/verify.html", {"not_found": True, "code": code[:40]}, status=404)

    if request.method == "GET" and request.GET.get("tai") == "1":
        return private_file_response(
            file=doc.file, download_name=safe_file_name(f"{doc.number} {doc.title}", extension="pdf"), inline=False
        )

    form = CopyForm()
    copy_result: CopyResult | None = None
    status = 200
    if request.method == "POST":
        form = CopyForm(request.POST, request.FILES)
        if _rate_limited(request):
            form.add_error(None, _("Bạn đã đối chiếu quá nhiều tệp trong một giờ. Hãy thử lại sau."))
            status = 429
        elif form.is_valid():
            upload = form.cleaned_data["copy"]
            # Told apart before the upload check, whose messages name every kind it keeps
            # (PDF, JPEG, PNG): only a PDF can be compared here.
            is_pdf = upload.read(len(PDF_MAGIC)) == PDF_MAGIC
            upload.seek(0)
            if not is_pdf:
                form.add_error(
                    "copy",
                    _("Tệp “%(name)s” không phải tệp PDF. Chỉ đối chiếu được văn bản PDF.")
                    % {"name": safe_file_name(upload.name)},
                )
            else:
                try:
                    inspected = inspect_upload(name=upload.name, data=upload, max_bytes=UPLOAD_MAX_BYTES)
                    copy_result = _compare(doc, inspected.content, inspected.safe_name)
                except ApplicationError as exc:
                    form.add_error("copy", exc.message)
        if not form.is_valid() and status == 200:
            status = 400

    report = issued_document_report(doc)
    context = {
        "doc": doc,
        "report": report,
        "form": form,
        "copy_result": copy_result,
        "site_name": getattr(settings, "MOTCUA_SITE_NAME", ""),
    }
    response: HttpResponse = render(request, "documents/verify.html", context, status=status)
    return response
