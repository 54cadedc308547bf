"""Staff pages that end an accepted dossier without a result (dossiers/closing.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.core.errors import ApplicationError
from motcua.dossiers.closing import dossier_stop, withdrawal_decide
from motcua.dossiers.selectors import dossier_get_for_officer
from motcua.dossiers.transitions import posted_revision


@login_required
@require_POST
def stop(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = dossier_get_for_officer(user=request.user, pk=pk)
    try:
        dossier_stop(
            dossier=dossier,
            officer=request.user,
            reason=request.POST.get("reason", ""),
            legal_ground=request.POST.get("legal_ground", ""),
            revision=posted_revision(request.POST),
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Đã dừng giải quyết hồ sơ và lập Thông báo dừng giải quyết hồ sơ."))
    return redirect("backoffice:dossier_detail", pk=dossier.pk)


@login_required
@require_POST
def withdrawal(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = dossier_get_for_officer(user=request.user, pk=pk)
    decision = request.POST.get("decision", "")
    try:
        if decision not in ("accept", "refuse"):
            raise ApplicationError(_("Hãy chọn đồng ý hoặc không đồng ý cho rút hồ sơ."), code="decision_required")
        withdrawal_decide(
            dossier=dossier,
            officer=request.user,
            accept=decision == "accept",
            note=request.POST.get("note", ""),
            revision=posted_revision(request.POST),
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        done = _("Đã đồng ý cho rút hồ sơ.") if decision == "accept" else _("Đã trả lời không đồng ý cho rút hồ sơ.")
        messages.success(request, done)
    return redirect("backoffice:dossier_detail", pk=dossier.pk)
