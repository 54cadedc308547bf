"""A receipt's public verification page (from its QR code) and its PDF."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from motcua.dossiers.selectors import dossier_list_for_applicant, dossier_list_for_officer
from motcua.payments.constants import RefundStatus
from motcua.payments.models import Receipt, Refund
from motcua.payments.receipt_pdf import receipt_pdf


def _receipt(token: str) -> Receipt:
    receipt = Receipt.objects.select_related("series", "agency", "replaces", "dossier").filter(token=token).first()
    if receipt is None:
        raise Http404(_("Không tìm thấy biên lai."))
    return receipt


@never_cache
def verify(request: HttpRequest, token: str) -> HttpResponse:
    """Number, agency, amount, date and whether it still stands; nothing about the payer."""
    receipt = Receipt.objects.select_related("series", "agency").filter(token=token).first()
    if receipt is None:
        return render(request, "payments/receipt_verify.html", {"not_found": True}, status=404)
    replacement = Receipt.objects.select_related("series").filter(replaces=receipt).first()
    # A refunded receipt stays valid as the record of what was paid; the page says the money went back.
    refund = (
        Refund.objects.filter(payment_id=receipt.payment_id, status__in=[RefundStatus.REQUESTED, RefundStatus.DONE])
        .order_by("-requested_at")
        .first()
    )
    context = {"receipt": receipt, "replacement": replacement, "refund": refund}
    return render(request, "payments/receipt_verify.html", context)


# The applicant is the usual reader of a link to their receipt; officers are already logged in.
@login_required(login_url="accounts:login")
def download(request: HttpRequest, token: str) -> HttpResponse:
    receipt = _receipt(token)
    user = request.user
    readers = (dossier_list_for_applicant(user=user), dossier_list_for_officer(user=user))
    if not any(dossiers.filter(pk=receipt.dossier_id).exists() for dossiers in readers):
        raise Http404(_("Không tìm thấy biên lai."))
    response = HttpResponse(receipt_pdf(receipt=receipt), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bien-lai-{receipt.series.symbol}-{receipt.number:07d}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
