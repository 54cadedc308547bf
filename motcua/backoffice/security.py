"""The officer's "Bảo mật đăng nhập" pages (passkeys, authenticator app, backup codes) and the
second step of the staff login. The rules live in motcua.accounts.second_factor; the
SecondFactorMiddleware decides who must come here."""

from base64 import b32encode
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from motcua.accounts import second_factor as sf
from motcua.accounts.forms import SecondFactorCodeForm, SecondFactorRemoveForm
from motcua.accounts.passkeys import FRESH_BACKUP_CODES
from motcua.core.errors import ApplicationError
from motcua.directory.selectors import user_is_staff
from motcua.documents.qr import qr_svg


def _next_url(request: HttpRequest) -> str:
    value = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return value
    return ""


def officer_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not user_is_staff(user=request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@sensitive_post_parameters("code")
@login_required
@require_http_methods(["GET", "POST"])
def second_factor(request: HttpRequest) -> HttpResponse:
    """Second step of the login: a passkey, a code from the app, or a backup code."""
    user: Any = request.user
    next_url = _next_url(request)
    if user.is_verified() or not sf.second_factor_enrolled(user=user):
        return redirect(next_url or "backoffice:home")
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = sf.second_factor_verify(user=user, code=form.cleaned_data["code"])
        except ApplicationError as error:
            form.add_error("code", error.message)
        else:
            otp_login(request, device)
            return redirect(next_url or "backoffice:home")
    context = {
        "form": form,
        "next": next_url,
        "has_passkey": sf.second_factor_has_passkey(user=user),
        "has_app": sf.second_factor_has_app(user=user),
    }
    return render(request, "backoffice/second_factor.html", context)


@officer_required
def security(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    devices = sf.second_factor_devices(user=user)
    context = {
        "devices": [
            {"device": d, "is_passkey": isinstance(d, sf.WebAuthnCredential), "id": d.persistent_id} for d in devices
        ],
        "has_app": sf.second_factor_has_app(user=user),
        "backup_codes_left": sf.second_factor_backup_codes_left(user=user),
        "fresh_codes": request.session.pop(FRESH_BACKUP_CODES, None),
        "must_enrol": sf.second_factor_enrolment_required(user=user),
        "next": _next_url(request),
    }
    return render(request, "backoffice/security.html", context)


@sensitive_post_parameters("code")
@officer_required
@require_http_methods(["GET", "POST"])
def security_totp(request: HttpRequest) -> HttpResponse:
    """Add an authenticator app: scan the QR code (or type the key), then type the code it shows."""
    user: Any = request.user
    try:
        device = sf.second_factor_totp_pending(user=user)
    except ApplicationError as error:
        messages.info(request, error.message)
        return redirect("backoffice:security")
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = sf.second_factor_totp_confirm(user=user, code=form.cleaned_data["code"])
        except ApplicationError as error:
            form.add_error("code", error.message)
        else:
            if not user.is_verified():
                otp_login(request, device)
            if codes:
                request.session[FRESH_BACKUP_CODES] = codes
            messages.success(request, _("Đã thêm ứng dụng xác thực."))
            return redirect("backoffice:security")
    context = {
        "form": form,
        "qr": qr_svg(device.config_url),
        "secret": b32encode(device.bin_key).decode(),
    }
    return render(request, "backoffice/security_totp.html", context)


@officer_required
@require_POST
def security_backup_codes(request: HttpRequest) -> HttpResponse:
    try:
        request.session[FRESH_BACKUP_CODES] = sf.second_factor_backup_codes_issue(user=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Đã tạo bộ mã dự phòng mới. Các mã cũ không còn dùng được."))
    return redirect("backoffice:security")


@sensitive_post_parameters("confirmation")
@officer_required
@require_http_methods(["GET", "POST"])
def security_remove(request: HttpRequest, device_id: str) -> HttpResponse:
    """Remove a passkey or app after the password or a current code is typed again."""
    user: Any = request.user
    device = next((d for d in sf.second_factor_devices(user=user) if d.persistent_id == device_id), None)
    if device is None:
        raise Http404
    form = SecondFactorRemoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sf.second_factor_device_remove(
                user=user, persistent_id=device_id, confirmation=form.cleaned_data["confirmation"]
            )
        except ApplicationError as error:
            form.add_error("confirmation", error.message)
        else:
            # A session verified by the removed device stays verified by another one, if any is
            # left: the person just proved who they are again.
            remaining = sf.second_factor_devices(user=user)
            if remaining and getattr(user.otp_device, "persistent_id", None) == device_id:
                otp_login(request, remaining[0])
            messages.success(request, _("Đã gỡ thiết bị."))
            return redirect("backoffice:security")
    context = {"form": form, "device": device, "is_passkey": isinstance(device, sf.WebAuthnCredential)}
    return render(request, "backoffice/security_remove.html", context)
