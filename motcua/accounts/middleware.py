from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from motcua.accounts.second_factor import (
    second_factor_enrolled,
    second_factor_enrolment_required,
)
from motcua.core.problems import problem_response
from motcua.directory.selectors import request_user_is_staff

# Views every signed-in person may reach whatever their second factor's state: leaving, health.
_ALWAYS = {"backoffice:logout", "accounts:logout", "admin:logout", "healthz", "otp_webauthn:js-i18n-catalog"}
# A session that passed only the password, of a user with a device: the second step only.
_VERIFY_VIEWS = _ALWAYS | {
    "backoffice:second_factor",
    "otp_webauthn:credential-authentication-begin",
    "otp_webauthn:credential-authentication-complete",
}
# An administrator who must enrol first (MOTCUA_REQUIRE_ADMIN_SECOND_FACTOR): the enrolment only.
_ENROL_VIEWS = _ALWAYS | {
    "backoffice:security",
    "backoffice:security_totp",
    "otp_webauthn:credential-registration-begin",
    "otp_webauthn:credential-registration-complete",
}


class SecondFactorMiddleware:
    """Holds a signed-in user who owes a second factor at the door: a user with a device whose
    session is not verified (`user.is_verified()`, django_otp's OTPMiddleware) is sent to the
    second step, an administrator who must enrol to the security page; anything else (the back
    office, the admin, the API with the session cookie, the portal) answers with that redirect, or
    403 under /api/. Token-authenticated API calls are not sessions and are not concerned."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Any, args: Any, kwargs: Any) -> HttpResponse | None:
        user: Any = request.user
        # Only officers enrol devices and only officers have anything to protect beyond a citizen's
        # own pages: a citizen's request costs one query here, not one per kind of device.
        if not user.is_authenticated or user.is_verified() or not request_user_is_staff(request):
            return None
        if second_factor_enrolled(user=user):
            allowed, target = _VERIFY_VIEWS, "backoffice:second_factor"
            message = _("Hãy hoàn tất bước xác thực thứ hai trước.")
        elif second_factor_enrolment_required(user=user):
            allowed, target = _ENROL_VIEWS, "backoffice:security"
            message = _("Tài khoản quản trị phải đăng ký xác thực hai bước trước.")
        else:
            return None
        match = request.resolver_match
        if match is not None and match.view_name in allowed:
            return None
        if request.path_info.startswith("/api/"):
            return problem_response(status=403, code="second_factor_required", message=message)
        url = reverse(target)
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        return redirect(url)
