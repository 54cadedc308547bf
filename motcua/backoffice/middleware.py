"""The back office's two guards: only staff reach /can-bo/, and staff sessions time out."""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from motcua.directory.selectors import request_user_is_staff

# Session keys: when this staff session started and when it was last used (POSIX seconds).
STARTED_KEY = "backoffice_session_started"
SEEN_KEY = "backoffice_session_seen"
# Last use is written at most this often, so that each request does not save the session.
SEEN_PRECISION_SECONDS = 60


class StaffSessionMiddleware:
    """Ends a staff session after MOTCUA_STAFF_SESSION_IDLE_MINUTES without a request, and
    MOTCUA_STAFF_SESSION_HOURS after it started whatever the activity: an officer's unlocked desk
    (or a stolen cookie) is worth less. Citizens keep Django's two-week session. The officer is
    sent to the staff login, told why, and told when what they had just sent was not done.
    Sits after MessageMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request_user_is_staff(request):
            now = timezone.now().timestamp()
            session = request.session
            started, seen = session.setdefault(STARTED_KEY, now), session.get(SEEN_KEY, now)
            if (
                now - seen > settings.MOTCUA_STAFF_SESSION_IDLE_MINUTES * 60
                or now - started > settings.MOTCUA_STAFF_SESSION_HOURS * 3600
            ):
                return self._expired(request)
            if SEEN_KEY not in session or now - seen >= SEEN_PRECISION_SECONDS:
                session[SEEN_KEY] = now
        return self.get_response(request)

    @staticmethod
    def _expired(request: HttpRequest) -> HttpResponse:
        posted = request.method == "POST"
        back = request.get_full_path()
        if posted:
            # Back to the page the form was on (an action's own URL only takes posts), if it is ours.
            referer = request.headers.get("referer", "")
            page = urlsplit(referer)
            safe = url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()})
            back = urlunsplit(("", "", page.path, page.query, "")) if safe and page.path else reverse("backoffice:home")
        logout(request)
        if posted:
            messages.warning(
                request,
                _(
                    "Phiên làm việc đã hết hạn nên thao tác vừa gửi chưa được thực hiện. "
                    "Vui lòng đăng nhập lại rồi làm lại thao tác đó."
                ),
            )
        else:
            messages.info(request, _("Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại."))
        return redirect_to_login(back, reverse("backoffice:login"))


class StaffAreaMiddleware:
    """Every page under the back office's prefix (/can-bo/) is for staff only, whichever app adds
    it: anonymous visitors go to the staff login, other accounts (citizens) get the 403 page.
    The login and logout pages stay open; an unknown address stays a 404."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.prefix = reverse("backoffice:home")
        self.open_paths = {reverse("backoffice:login"), reverse("backoffice:logout")}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if not request.path_info.startswith(self.prefix) or request.path_info in self.open_paths:
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("backoffice:login"))
        if not request_user_is_staff(request):
            raise PermissionDenied(_("Trang này dành cho cán bộ. Tài khoản công dân không dùng được trang này."))
        return None
