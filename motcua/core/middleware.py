from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import BadRequest
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from motcua.core.maintenance import maintenance_current
from motcua.core.views import unavailable_response

# Everything is served by the app itself, so the policy can forbid every other origin.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


class SecurityHeadersMiddleware:
    """Adds the headers Django does not set itself (CSP, permissions policy)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", "camera=(self), geolocation=(), microphone=()")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


class NulCharacterMiddleware:
    """Refuses a page request with a NUL character in its path or query (the 400 page).

    PostgreSQL cannot store or compare text with NUL, so every lookup by a code from the address
    (tracking, verification, procedures) would otherwise end in a 500. The API answers these in
    its own documented way (api.urls' `code` converter, its query serializers).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/") and (
            "\x00" in request.path or any("\x00" in key + "".join(values) for key, values in request.GET.lists())
        ):
            raise BadRequest("NUL character in the address")
        return self.get_response(request)


class MaintenanceMiddleware:
    """Answers 503 while maintenance mode is on (`manage.py maintenance on|off`).

    Monitoring (/healthz), static files, the admin (so administrators can log in) and staff
    accounts (`is_staff`: administrators checking the site before reopening it) still get through.
    Sits after AuthenticationMiddleware; the user is looked up only while maintenance is on.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.open_prefixes = (reverse("healthz"), reverse("admin:index"), settings.STATIC_URL)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        maintenance = maintenance_current()
        if maintenance is None or request.path_info.startswith(self.open_prefixes) or self._is_staff(request):
            return self.get_response(request)
        return unavailable_response(request, maintenance=maintenance)

    @staticmethod
    def _is_staff(request: HttpRequest) -> bool:
        try:
            return bool(request.user.is_staff)
        except DatabaseError:  # maintenance is often a database upgrade: then nobody passes
            return False
