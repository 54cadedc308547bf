from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from motcua.directory.selectors import staff_roles_for_user


class LoginView(auth_views.LoginView):
    template_name = "backoffice/login.html"
    redirect_authenticated_user = True
    extra_context = {"title": _("Đăng nhập cán bộ")}


class LogoutView(auth_views.LogoutView):
    next_page = "backoffice:login"


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "backoffice/home.html", {"roles": staff_roles_for_user(user=request.user)})
