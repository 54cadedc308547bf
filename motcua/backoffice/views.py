from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from motcua.directory.selectors import staff_roles_for_user
from motcua.dossiers.constants import DossierStatus
from motcua.dossiers.selectors import dossier_get_for_officer, dossier_list_for_officer


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
    """Dossiers waiting at the officer's one-stop units, oldest first."""
    dossiers = (
        dossier_list_for_officer(user=request.user).filter(status=DossierStatus.SUBMITTED).order_by("submitted_at")
    )
    return render(request, "backoffice/reception_queue.html", {"dossiers": dossiers[:200]})


@login_required
def dossier_detail(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = dossier_get_for_officer(user=request.user, pk=pk)
    return render(
        request,
        "backoffice/dossier_detail.html",
        {
            "dossier": dossier,
            "history": dossier.history.all(),
            "attachments": dossier.attachments.select_related("component"),
        },
    )
