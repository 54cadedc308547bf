"""The back office's fee pages: the counter payment on a dossier, and the finance page of an
agency (payments, receipts to cancel and replace, refunds to do, reconciliation findings)."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.core.errors import ApplicationError
from motcua.core.validators import record_id
from motcua.directory.models import Agency
from motcua.dossiers.selectors import dossier_get_for_officer
from motcua.dossiers.transitions import posted_revision
from motcua.payments import staff_selectors
from motcua.payments.counter import counter_payment_record
from motcua.payments.findings import finding_resolve
from motcua.payments.models import Receipt, ReconciliationFinding, Refund
from motcua.payments.receipts import FeesForbidden, fee_agencies, receipt_cancel_replace
from motcua.payments.refunds import refund_mark_done


def _act(request: HttpRequest, action: Callable[[], object], done: str) -> None:
    """Run a service: a refused officer is a 403, a refused action a message on the page."""
    try:
        action()
    except FeesForbidden as error:
        raise PermissionDenied(error.message) from error
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)


@login_required
@require_POST
def counter_payment(request: HttpRequest, pk: int) -> HttpResponse:
    """Cash or card at the counter; the receipt is then printed from the dossier page."""
    dossier = dossier_get_for_officer(user=request.user, pk=pk)
    _act(
        request,
        lambda: counter_payment_record(
            dossier=dossier,
            officer=request.user,
            method=request.POST.get("method", ""),
            revision=posted_revision(request.POST),
        ),
        _("Đã thu phí, lệ phí và lập biên lai điện tử. Hãy in biên lai cho người nộp."),
    )
    return redirect("backoffice:dossier_detail", pk=dossier.pk)


def _agencies_or_403(request: HttpRequest) -> QuerySet[Agency] | None:
    agencies = fee_agencies(request.user)
    if agencies is not None and not agencies.exists():
        raise PermissionDenied
    return agencies


@login_required
def finance(request: HttpRequest) -> HttpResponse:
    """The agency's money for its one-stop and finance staff; every agency for superusers and province-wide roles."""
    agencies = _agencies_or_403(request)
    if request.method == "POST":
        _finance_action(request)
        return redirect("payments_staff:finance")
    context = {
        "payments": staff_selectors.payments_for_finance(agencies),
        "attempts": staff_selectors.attempts_unfinished(agencies),
        "notices": staff_selectors.notices_refused(agencies),
        "receipts": staff_selectors.receipts_for_finance(agencies),
        "refunds": staff_selectors.refunds_to_do(agencies),
        "findings": staff_selectors.findings_open(agencies),
    }
    return render(request, "payments/staff_finance.html", context)


def _finance_action(request: HttpRequest) -> None:
    post, user = request.POST, request.user
    action, target = post.get("action", ""), record_id(post.get("id", ""))
    if action == "receipt_cancel" and target is not None:
        receipt = get_object_or_404(Receipt, pk=target)
        _act(
            request,
            lambda: receipt_cancel_replace(
                receipt=receipt,
                officer=user,
                reason=post.get("reason", ""),
                payer=post.get("payer", ""),
                address=post.get("address", ""),
            ),
            _("Đã hủy biên lai và lập biên lai thay thế."),
        )
    elif action == "refund_done" and target is not None:
        refund = get_object_or_404(Refund.objects.select_related("payment__dossier"), pk=target)
        _act(request, lambda: refund_mark_done(refund=refund, officer=user), _("Đã ghi nhận hoàn tiền."))
    elif action == "finding_resolve" and target is not None:
        finding = get_object_or_404(ReconciliationFinding.objects.select_related("payment__dossier"), pk=target)
        _act(
            request,
            lambda: finding_resolve(finding=finding, officer=user, note=post.get("note", "")),
            _("Đã ghi nhận cách xử lý chênh lệch."),
        )
    else:
        messages.error(request, _("Thao tác không hợp lệ."))
