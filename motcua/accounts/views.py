"""Citizen account pages: signup with an SMS code, login, logout, profile, representations, and the
guard in front of allauth's OIDC login view. Every form works without JavaScript."""

import logging
from collections.abc import Callable
from typing import Any

import requests
from allauth.socialaccount.providers.openid_connect import views as oidc_views
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from motcua.accounts import services
from motcua.accounts.forms import (
    CodeForm,
    LoginForm,
    PhoneChangeForm,
    ProfileForm,
    RepresentationForm,
    SignupForm,
)
from motcua.accounts.models import CitizenProfile, Representation, User
from motcua.accounts.sso import PROVIDER_ID, sso_enabled, sso_error_response, sso_form_origins
from motcua.core.errors import ApplicationError
from motcua.core.middleware import CONTENT_SECURITY_POLICY
from motcua.core.privacy import mask_phone
from motcua.exchange.selectors import exchange_log_for_citizen

logger = logging.getLogger(__name__)

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
# Session keys of the two-step flows (the value is an ID or a normalised number, never shown).
PENDING_USER = "accounts_pending_user"
PENDING_NEXT = "accounts_next"
PENDING_PHONE = "accounts_pending_phone"

citizen_login_required: Callable[..., Any] = login_required(login_url="accounts:login")


def _safe_next(request: HttpRequest, value: str | None) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return ""


def _next_from(request: HttpRequest) -> str:
    return _safe_next(request, request.POST.get("next") or request.GET.get("next"))


def _after_login(request: HttpRequest, next_url: str) -> HttpResponseRedirect:
    return redirect(next_url or "portal:home")


def _show_error(form: Form, error: ApplicationError) -> None:
    """Put a service refusal next to its field, or above the form."""
    field = error.extra.get("field")
    form.add_error(field if field in form.fields else None, error.message)


def _sso_login_url() -> str | None:
    if not sso_enabled():
        return None
    try:
        return reverse("openid_connect_login", kwargs={"provider_id": PROVIDER_ID})
    except NoReverseMatch:
        logger.error("SSO is configured but its URLs are not routed (see docs/citizen-identity.md)")
        return None


def _allow_form_to_issuer(response: HttpResponse) -> HttpResponse:
    """The VNeID button posts here and is redirected to the provider: Chromium applies the page's
    form-action to that redirect too, so the provider's origin must be allowed on this page."""
    origins = sso_form_origins()
    if origins:
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
            "form-action 'self'", " ".join(["form-action 'self'", *origins])
        )
    return response


def _set_pending(request: HttpRequest, user: User, next_url: str) -> None:
    request.session[PENDING_USER] = user.pk
    request.session[PENDING_NEXT] = next_url


def _pending_user(request: HttpRequest) -> User | None:
    user_id = request.session.get(PENDING_USER)
    if not user_id:
        return None
    return User.objects.filter(pk=user_id, is_active=False).first()


# --- Login and logout --------------------------------------------------------------------------


@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = _next_from(request)
    if request.user.is_authenticated and request.method == "GET":
        return _after_login(request, next_url)
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.citizen_authenticate(
                phone=form.cleaned_data["phone"],
                password=form.cleaned_data["password"],
                client_ip=services.client_ip(request),
            )
        except ApplicationError as error:
            if error.code == "phone_unverified":
                return _resume_unverified_signup(request, error, next_url)
            form.add_error(None, error.message)
        else:
            login(request, user, backend=MODEL_BACKEND)
            messages.success(request, _("Bạn đã đăng nhập."))
            return _after_login(request, next_url)
    response = render(
        request, "accounts/login.html", {"form": form, "next": next_url, "sso_login_url": _sso_login_url()}
    )
    return _allow_form_to_issuer(response) if sso_enabled() else response


def _resume_unverified_signup(request: HttpRequest, error: ApplicationError, next_url: str) -> HttpResponse:
    user = User.objects.get(pk=error.extra["user_id"])
    _set_pending(request, user, next_url)
    try:
        services.citizen_signup_resend_code(user=user)
        messages.info(request, _("Số điện thoại chưa được xác thực. Chúng tôi đã gửi mã xác thực mới."))
    except ApplicationError as send_error:
        messages.warning(request, send_error.message)
    return redirect("accounts:signup_verify")


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.success(request, _("Bạn đã đăng xuất."))
    return redirect("portal:home")


# --- Signup ------------------------------------------------------------------------------------


@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def signup_view(request: HttpRequest) -> HttpResponse:
    next_url = _next_from(request)
    if request.user.is_authenticated:
        return _after_login(request, next_url)
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.citizen_signup(
                full_name=form.cleaned_data["full_name"],
                phone=form.cleaned_data["phone"],
                password=form.cleaned_data["password1"],
                client_ip=services.client_ip(request),
            )
        except ApplicationError as error:
            _show_error(form, error)
        else:
            _set_pending(request, user, next_url)
            messages.info(request, _("Chúng tôi đã gửi mã xác thực đến số điện thoại của bạn."))
            return redirect("accounts:signup_verify")
    return render(request, "accounts/signup.html", {"form": form, "next": next_url})


@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def signup_verify_view(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None:
        messages.info(request, _("Phiên đăng ký đã kết thúc. Vui lòng đăng nhập hoặc đăng ký lại."))
        return redirect("accounts:login")
    form = CodeForm(request.POST if request.method == "POST" and "resend" not in request.POST else None)
    if request.method == "POST" and "resend" in request.POST:
        try:
            services.citizen_signup_resend_code(user=user)
            messages.info(request, _("Chúng tôi đã gửi mã xác thực mới."))
        except ApplicationError as error:
            messages.error(request, error.message)
        return redirect("accounts:signup_verify")
    if request.method == "POST" and form.is_valid():
        try:
            services.citizen_phone_verify(user=user, code=form.cleaned_data["code"])
        except ApplicationError as error:
            form.add_error("code", error.message)
        else:
            next_url = _safe_next(request, request.session.pop(PENDING_NEXT, ""))
            request.session.pop(PENDING_USER, None)
            login(request, user, backend=MODEL_BACKEND)
            messages.success(request, _("Số điện thoại đã được xác thực. Tài khoản của bạn đã sẵn sàng."))
            return _after_login(request, next_url)
    profile = CitizenProfile.objects.filter(user=user).first()
    return render(
        request,
        "accounts/verify_phone.html",
        {
            "form": form,
            "title": _("Xác thực số điện thoại"),
            "masked_phone": mask_phone(profile.phone or "" if profile else ""),
            "action": reverse("accounts:signup_verify"),
            "resend": True,
        },
    )


# --- Profile -----------------------------------------------------------------------------------


@citizen_login_required
@require_http_methods(["GET", "POST"])
def profile_view(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    profile = CitizenProfile.objects.filter(user=user).select_related("address_unit").first()
    locked = services.citizen_profile_id_number_locked(user=user)
    initial: dict[str, Any] = {"full_name": user.get_full_name()}
    if profile is not None:
        initial = {
            "full_name": profile.full_name,
            "birth_date": profile.birth_date,
            "id_number": profile.id_number or "",
            "email": profile.email,
            "address_unit": profile.address_unit_id,
            "address_detail": profile.address_detail,
        }
    form = ProfileForm(request.POST or None, initial=initial, id_number_locked=locked)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.citizen_profile_update(
                user=user,
                full_name=data["full_name"],
                birth_date=data["birth_date"],
                id_number=data["id_number"] or None,
                email=data["email"],
                address_unit=data["address_unit"],
                address_detail=data["address_detail"],
            )
        except ApplicationError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("Đã lưu thông tin cá nhân."))
            return redirect("accounts:profile")
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "profile": profile,
            "masked_phone": mask_phone(profile.phone or "" if profile else ""),
            "representation_count": Representation.objects.filter(user=user).count(),
            "data_lookups": exchange_log_for_citizen(user=user),
            "has_sso": user.external_identities.exists(),
        },
    )


@citizen_login_required
@require_http_methods(["GET", "POST"])
def notification_preferences_view(request: HttpRequest) -> HttpResponse:
    """The channels the citizen gets news of their dossiers on (motcua.notifications)."""
    from motcua.notifications.constants import NotificationChannel
    from motcua.notifications.forms import NotificationPreferencesForm
    from motcua.notifications.services import notification_preferences_update

    user: User = request.user  # type: ignore[assignment]
    profile = CitizenProfile.objects.filter(user=user).first()
    if profile is None:
        messages.info(request, _("Hãy cập nhật thông tin cá nhân trước."))
        return redirect("accounts:profile")
    has_phone = bool(profile.phone and profile.phone_verified_at)
    reachable = {
        NotificationChannel.EMAIL: bool(profile.email),
        NotificationChannel.SMS: has_phone,
        NotificationChannel.ZALO: has_phone,
    }
    chosen = {
        NotificationChannel.EMAIL: profile.notify_email,
        NotificationChannel.SMS: profile.notify_sms,
        NotificationChannel.ZALO: profile.notify_zalo,
    }
    available = [channel for channel, ok in reachable.items() if ok]
    unavailable = []
    if not reachable[NotificationChannel.EMAIL]:
        unavailable.append(_("Thêm địa chỉ thư điện tử ở trang Thông tin cá nhân để nhận thông báo qua thư."))
    if not has_phone:
        unavailable.append(_("Xác thực số điện thoại để nhận thông báo qua SMS hoặc Zalo."))
    form = NotificationPreferencesForm(
        request.POST or None,
        available=available,
        initial={"channels": [channel for channel in available if chosen[channel]]},
    )
    if request.method == "POST" and form.is_valid():
        picked = set(form.cleaned_data["channels"])
        # A channel the citizen cannot be reached on keeps its setting (it applies once reachable).
        wanted = {channel: (channel in picked if reachable[channel] else chosen[channel]) for channel in chosen}
        try:
            notification_preferences_update(
                user=user,
                email=wanted[NotificationChannel.EMAIL],
                sms=wanted[NotificationChannel.SMS],
                zalo=wanted[NotificationChannel.ZALO],
            )
        except ApplicationError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("Đã lưu lựa chọn nhận thông báo."))
            return redirect("accounts:profile")
    return render(
        request,
        "accounts/notification_preferences.html",
        {"form": form, "profile": profile, "unavailable": unavailable},
    )


@citizen_login_required
@require_http_methods(["GET", "POST"])
def phone_change_view(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = PhoneChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            new_phone = services.citizen_phone_change_request(user=user, new_phone=form.cleaned_data["phone"])
        except ApplicationError as error:
            _show_error(form, error)
        else:
            request.session[PENDING_PHONE] = new_phone
            messages.info(request, _("Chúng tôi đã gửi mã xác thực đến số điện thoại mới."))
            return redirect("accounts:phone_change_verify")
    return render(request, "accounts/phone_change.html", {"form": form})


@sensitive_post_parameters("code")
@citizen_login_required
@require_http_methods(["GET", "POST"])
def phone_change_verify_view(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    new_phone = request.session.get(PENDING_PHONE)
    if not new_phone:
        return redirect("accounts:phone_change")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.citizen_phone_change_confirm(user=user, new_phone=new_phone, code=form.cleaned_data["code"])
        except ApplicationError as error:
            form.add_error("code", error.message)
        else:
            request.session.pop(PENDING_PHONE, None)
            messages.success(request, _("Đã đổi số điện thoại."))
            return redirect("accounts:profile")
    return render(
        request,
        "accounts/verify_phone.html",
        {
            "form": form,
            "title": _("Xác thực số điện thoại mới"),
            "masked_phone": mask_phone(new_phone),
            "action": reverse("accounts:phone_change_verify"),
            "back_url": reverse("accounts:phone_change"),
            "resend": False,
        },
    )


# --- Representations ---------------------------------------------------------------------------


@citizen_login_required
@require_http_methods(["GET", "POST"])
def representations_view(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = RepresentationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.representation_add(
                user=user,
                tax_code=form.cleaned_data["tax_code"],
                organisation_name=form.cleaned_data["organisation_name"],
                position=form.cleaned_data["position"],
            )
        except ApplicationError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("Đã thêm tổ chức bạn đại diện."))
            return redirect("accounts:representations")
    return render(
        request,
        "accounts/representations.html",
        {"form": form, "representations": Representation.objects.filter(user=user).order_by("organisation_name")},
    )


@citizen_login_required
@require_POST
def representation_remove_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.representation_remove(user=request.user, representation_id=pk)  # type: ignore[arg-type]
    except ApplicationError as error:
        raise Http404(error.message) from error
    messages.success(request, _("Đã xoá tổ chức khỏi danh sách."))
    return redirect("accounts:representations")


# --- Single sign-on ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def sso_login_view(request: HttpRequest, provider_id: str) -> HttpResponse:
    """allauth's OIDC login, reachable only as a plain login POST (CSRF-checked) for our provider."""
    if provider_id != PROVIDER_ID or not sso_enabled():
        raise Http404
    if request.method == "GET":
        # allauth would render its own confirmation page; ours has the button.
        return redirect("accounts:login")
    if (request.POST.get("process") or request.GET.get("process") or "login") != "login":
        return HttpResponseBadRequest()
    try:
        response: HttpResponse = oidc_views.login(request, provider_id)
    except requests.RequestException as error:
        logger.warning("sso provider unreachable: %s", type(error).__name__)
        return sso_error_response(
            request,
            _("Hiện không kết nối được với VNeID. Vui lòng thử lại sau hoặc đăng nhập bằng số điện thoại."),
            status=503,
        )
    return response


def sso_callback_view(request: HttpRequest, provider_id: str) -> HttpResponse:
    if provider_id != PROVIDER_ID or not sso_enabled():
        raise Http404
    try:
        response: HttpResponse = oidc_views.callback(request, provider_id)
    except requests.RequestException as error:
        logger.warning("sso provider unreachable: %s", type(error).__name__)
        return sso_error_response(request, _("Hiện không kết nối được với VNeID. Vui lòng thử lại sau."), status=503)
    return response
