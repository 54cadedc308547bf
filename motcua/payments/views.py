"""The citizen's online payment: the "Thanh toán" button, the gateway's return, its IPN, and
the demo gateway's own page (docs/payments.md). Views stay thin: notices.py decides."""

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.accounts.services import client_ip
from motcua.core.errors import ApplicationError
from motcua.dossiers.selectors import dossier_get_for_applicant
from motcua.payments.constants import PaymentStatus, ReceiptStatus
from motcua.payments.demo_gateway import SUCCESS, demo_checkout_payment, demo_notice_params
from motcua.payments.gateways import GatewayError, gateways
from motcua.payments.notices import NoticeSource, notice_apply, return_record
from motcua.payments.online import payment_checkout_url, payment_start

logger = logging.getLogger(__name__)

citizen_required = login_required(login_url="accounts:login")

MAX_IPN_BYTES = 16 * 1024


def online_return_url(request: HttpRequest, gateway_key: str) -> str:
    return request.build_absolute_uri(reverse(f"payments:online_return_{gateway_key}"))


@citizen_required
@require_POST
def online_pay(request: HttpRequest, pk: int) -> HttpResponse:
    """Start (or resume: double click, second tab) the dossier's online payment and go to the gateway."""
    dossier = dossier_get_for_applicant(user=request.user, pk=pk)
    try:
        payment = payment_start(dossier=dossier, user=request.user, client_ip=client_ip(request))
    except ApplicationError as error:
        messages.info(request, error.message)
        return redirect("dossiers:detail", pk=dossier.pk)
    try:
        url = payment_checkout_url(payment=payment, return_url=online_return_url(request, payment.gateway))
    except GatewayError:
        messages.error(request, _("Cổng thanh toán đang không phản hồi; xin thử lại sau ít phút."))
        return redirect("dossiers:detail", pk=dossier.pk)
    # A page of ours that moves on by itself rather than a redirect: the button is a form, and
    # Chromium holds a form's redirect to another origin to the page's CSP form-action.
    context = {"payment": payment, "checkout_url": url, "gateway_label": gateways.get(payment.gateway).label}
    return render(request, "payments/online_redirect.html", context)


@require_GET
def online_return(request: HttpRequest, gateway_key: str) -> HttpResponse:
    """The browser back from the gateway: the payment's state as we know it (the return is
    verified and may make us ask the gateway, but never marks the payment paid by itself).
    The gateway's signature is what admits it: a mobile app's browser holds no session of ours.
    Only the applicant's own session sees the dossier and its receipt; others see the status."""
    payment = return_record(gateway_key=gateway_key, params=request.GET.dict())
    if payment is None:
        return render(request, "payments/online_return.html", {"invalid": True}, status=400)
    context: dict[str, object] = {"payment": payment, "owner": payment.dossier.applicant_id == request.user.pk}
    if context["owner"]:
        context["receipt"] = payment.receipts.filter(status=ReceiptStatus.ISSUED).select_related("series").first()
    return render(request, "payments/online_return.html", context)


def _ipn_flooded(request: HttpRequest) -> bool:
    key = f"payment-ipn:{client_ip(request)}"
    cache.add(key, 0, timeout=60)
    try:
        return int(cache.incr(key)) > settings.MOTCUA_PAYMENT_IPNS_PER_MINUTE
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=60)
        return False


@csrf_exempt  # called by the gateway's server, authenticated by the notice's signature
@require_http_methods(["GET", "POST"])
def online_ipn(request: HttpRequest, gateway_key: str) -> HttpResponse:
    """The gateway's server-to-server notification (VNPay sends a GET): verified, logged and
    applied once; answered in the gateway's own terms (HTTP 200 with its code)."""
    if _ipn_flooded(request) or int(request.META.get("CONTENT_LENGTH") or 0) > MAX_IPN_BYTES:
        return HttpResponse(status=429)
    params = (request.GET if request.method == "GET" else request.POST).dict()
    outcome = notice_apply(gateway_key=gateway_key, source=NoticeSource.IPN, params=params)
    body, content_type = gateways.get(gateway_key).notice_answer(verdict=outcome.verdict, answer=outcome.answer)
    return HttpResponse(body, content_type=content_type)


@require_http_methods(["GET", "POST"])
def demo_checkout(request: HttpRequest, token: str) -> HttpResponseBase:
    """The demo gateway's "bank", reached by its signed checkout address (no session needed, as
    a bank's page): pays or cancels its pending payment with a signed notice through the same
    path as a real IPN, then returns like a gateway does."""
    payment = demo_checkout_payment(token)
    if payment is None:
        raise Http404
    if request.method == "POST" and payment.status == PaymentStatus.PENDING:
        params = demo_notice_params(payment, result=SUCCESS if request.POST.get("action") == "pay" else "24")
        notice_apply(gateway_key="demo", source=NoticeSource.IPN, params=params)
        return redirect(f"{reverse('payments:online_return_demo')}?{urlencode(params)}")
    context = {"payment": payment, "dossier_paid": payment.dossier.fees_paid_at is not None}
    return render(request, "payments/demo_checkout.html", context)
