from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Procedure
from motcua.core.errors import ApplicationError
from motcua.directory.constants import UnitKind
from motcua.directory.models import AdministrativeUnit
from motcua.directory.selectors import staff_roles_for_user
from motcua.documents.files import private_file_response
from motcua.dossiers.constants import Channel, DossierStatus
from motcua.dossiers.models import Dossier, DossierSlip
from motcua.dossiers.reception import dossier_accept, dossier_refuse, dossier_request_supplement, officer_may_receive
from motcua.dossiers.selectors import dossier_get_for_officer, dossier_reception_queue
from motcua.dossiers.services import dossier_start_assisted


class LoginView(auth_views.LoginView):
    template_name = "backoffice/login.html"
    redirect_authenticated_user = True
    extra_context = {"title": _("Đăng nhập cán bộ")}


class LogoutView(auth_views.LogoutView):
    next_page = "backoffice:login"


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "backoffice/home.html", {"roles": staff_roles_for_user(user=request.user)})


@login_required
def reception_queue(request: HttpRequest) -> HttpResponse:
    """Dossiers waiting at the officer's one-stop units, oldest first, with search and filters."""
    query, channel = request.GET.get("q", "")[:100], request.GET.get("channel", "")
    dossiers = dossier_reception_queue(user=request.user, query=query, channel=channel)
    page = Paginator(dossiers.select_related("applicant__citizen"), 50).get_page(request.GET.get("page"))
    context = {"page_obj": page, "q": query, "channel": channel, "channels": Channel.choices}
    return render(request, "backoffice/reception_queue.html", context)


@login_required
def dossier_detail(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = dossier_get_for_officer(user=request.user, pk=pk)
    if request.method == "POST":
        return _reception_action(request, dossier)
    context = {
        "dossier": dossier,
        "history": dossier.history.all(),
        "attachments": dossier.attachments.select_related("component"),
        "slips": dossier.slips.all(),
        "may_receive": dossier.status == DossierStatus.SUBMITTED
        and officer_may_receive(officer=request.user, dossier=dossier),
    }
    return render(request, "backoffice/dossier_detail.html", context)


def _reception_action(request: HttpRequest, dossier: Dossier) -> HttpResponse:
    action = request.POST.get("action", "")
    revision = int(request.POST["revision"]) if request.POST.get("revision", "").isdigit() else None
    reasons = request.POST.get("reasons", "")
    try:
        if action == "accept":
            slip = dossier_accept(dossier=dossier, officer=request.user, revision=revision)
        elif action == "supplement":
            slip = dossier_request_supplement(dossier=dossier, officer=request.user, reasons=reasons, revision=revision)
        elif action == "refuse":
            slip = dossier_refuse(dossier=dossier, officer=request.user, reasons=reasons, revision=revision)
        else:
            raise ApplicationError(str(_("Thao tác không hợp lệ.")), code="unknown_action")
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Đã lập %(slip)s.") % {"slip": slip.get_kind_display()})
    return redirect("backoffice:dossier_detail", pk=dossier.pk)


@login_required
def slip_download(request: HttpRequest, pk: int, slip_id: int) -> HttpResponseBase:
    dossier = dossier_get_for_officer(user=request.user, pk=pk)
    slip = get_object_or_404(DossierSlip, pk=slip_id, dossier=dossier)
    return private_file_response(
        file=slip.file, download_name=f"{slip.get_kind_display()} {dossier.code}.pdf", inline=True
    )


@login_required
def assisted_start(request: HttpRequest) -> HttpResponse:
    """Start a dossier for a citizen at the counter or the post office."""
    values = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        procedure = Procedure.objects.filter(code=request.POST.get("procedure", ""), is_active=True).first()
        try:
            if procedure is None or procedure.current_version is None:
                raise ApplicationError(str(_("Hãy chọn thủ tục.")), code="dossier_assist_procedure")
            dossier = dossier_start_assisted(
                officer=request.user,
                version=procedure.current_version,
                id_number=request.POST.get("id_number", ""),
                full_name=request.POST.get("full_name", ""),
                phone=request.POST.get("phone", ""),
                unit_code=request.POST.get("unit") or None,
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            return redirect("dossiers:resume", pk=dossier.pk)
    units = AdministrativeUnit.objects.valid_on(timezone.localdate()).filter(
        kind__in=[UnitKind.COMMUNE, UnitKind.WARD, UnitKind.TOWNSHIP]
    )
    context = {
        "procedures": Procedure.objects.filter(is_active=True).order_by("name").only("code", "name"),
        "units": units.order_by("name"),
        "values": values,
    }
    return render(request, "backoffice/assisted_start.html", context)
