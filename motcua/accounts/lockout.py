"""Password guessing: django-axes with the platform's rules (docs/operations.md, "Login lockouts").

Guarded: the staff login form (/can-bo/dang-nhap/), the admin's (/quan-tri/login/) and the API's
token endpoint. The citizens' portal login keeps its own per-phone and per-address limits
(services.citizen_authenticate), which the token endpoint also passes.

- An account is locked after MOTCUA_LOGIN_FAILURES_PER_ACCOUNT failures, from any address; an
  address after MOTCUA_LOGIN_FAILURES_PER_ADDRESS failures, whatever accounts it tried. Axes has
  one limit for every lockout parameter, so LoginAttemptHandler gives each its own.
- Failures count within the cool-off. The first lockout lasts MOTCUA_LOGIN_LOCKOUT_MINUTES; each
  further lockout of the same account or address within a day lasts twice the one before, up to
  MOTCUA_LOGIN_LOCKOUT_MAX_MINUTES (login_cool_off reads axes' failure log for earlier ones).
- During a lockout no password is checked, a correct one included, and tries neither count nor
  extend it, so the time shown ("thử lại sau 09:45") holds.
- The address is the one every other rate limit counts (services.client_ip and
  MOTCUA_TRUSTED_PROXIES), so both agree behind a proxy.
- A locked account's holder is told by e-mail through the outbox; every lockout is audited.
"""

import datetime
import ipaddress
import logging
import math
import unicodedata
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_parameters
from axes.models import AccessFailureLog
from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.accounts.services import client_ip
from motcua.core.audit import audit_record
from motcua.core.problems import is_api_request, problem_response

logger = logging.getLogger(__name__)

# Earlier lockouts older than this no longer lengthen the next one.
LOCKOUT_MEMORY = datetime.timedelta(days=1)
# Where a caller that does not post a "username" field (the API) names the account it tries.
_USERNAME_ATTRIBUTE = "motcua_login_username"


# --- What axes counts ----------------------------------------------------------------------


def login_client_ip(request: HttpRequest) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the address the other rate limits count; None when it is not an
    IP address (axes stores addresses in an IP column)."""
    address = client_ip(request)
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return None
    return address


def login_username(request: HttpRequest | None, credentials: dict[str, Any] | None = None) -> str | None:
    """AXES_USERNAME_CALLABLE: the login that was tried, as the login form cleans it."""
    value = (credentials or {}).get("username")
    if value is None and request is not None:
        value = getattr(request, _USERNAME_ATTRIBUTE, None) or request.POST.get("username")
    if value is None:
        return None
    return unicodedata.normalize("NFKC", str(value)).strip() or None


def login_attempt_name(request: HttpRequest, username: str) -> dict[str, str]:
    """For a login that does not go through a form posting "username": remember which account the
    request tries, and return the credentials to hand to axes."""
    setattr(request, _USERNAME_ATTRIBUTE, username)
    return {"username": username}


def login_failure_limit(request: HttpRequest | None = None, credentials: dict[str, Any] | None = None) -> int:
    """AXES_FAILURE_LIMIT, read when used so a test or an operator's setting takes effect."""
    return int(settings.MOTCUA_LOGIN_FAILURES_PER_ACCOUNT)


def _earlier_lockouts(request: HttpRequest) -> int:
    username = login_username(request)
    address = getattr(request, "axes_ip_address", None) or login_client_ip(request)
    scope = Q(username=username) if username else Q(pk__in=[])
    if address:
        scope |= Q(ip_address=address)
    now = getattr(request, "axes_attempt_time", None) or timezone.now()
    return AccessFailureLog.objects.filter(scope, locked_out=True, attempt_time__gte=now - LOCKOUT_MEMORY).count()


def lockout_length(lockouts: int) -> datetime.timedelta:
    """The cool-off after `lockouts` lockouts within a day: 15, 30, 60 … minutes by default."""
    doublings = min(max(lockouts - 1, 0), 16)
    minutes = min(settings.MOTCUA_LOGIN_LOCKOUT_MINUTES * 2**doublings, settings.MOTCUA_LOGIN_LOCKOUT_MAX_MINUTES)
    return datetime.timedelta(minutes=minutes)


def login_cool_off(request: HttpRequest | None = None) -> datetime.timedelta:
    """AXES_COOLOFF_TIME: how long failures count and a lockout lasts for this account and address.

    It grows only when a new lockout is recorded, so it never lengthens a lockout already shown.
    """
    return lockout_length(_earlier_lockouts(request) if request is not None else 0)


class LoginAttemptHandler(AxesDatabaseHandler):
    """Axes' database handler with a limit for each lockout parameter (account, address)."""

    def groups(self, request: HttpRequest, credentials: dict[str, Any] | None) -> list[tuple[str, int, QuerySet]]:
        limits = {
            "username": settings.MOTCUA_LOGIN_FAILURES_PER_ACCOUNT,
            "ip_address": settings.MOTCUA_LOGIN_FAILURES_PER_ADDRESS,
        }
        parameters = [str(parameter) for parameter in get_lockout_parameters(request, credentials)]
        attempts = self.get_user_attempts(request, credentials)
        return [(name, limits[name], group) for name, group in zip(parameters, attempts, strict=True)]

    def locked_groups(
        self, request: HttpRequest, credentials: dict[str, Any] | None = None
    ) -> dict[str, tuple[int, datetime.datetime]]:
        """Parameter ("username", "ip_address") → (failures, latest failure) of each one locked."""
        locked = {}
        for name, limit, group in self.groups(request, credentials):
            totals = group.aggregate(failures=Sum("failures_since_start"), latest=Max("attempt_time"))
            if (totals["failures"] or 0) >= limit:
                locked[name] = (totals["failures"], totals["latest"])
        return locked

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        # Axes compares this one number with AXES_FAILURE_LIMIT (the account's limit): each
        # parameter's count is scaled to that limit, so it reaches it exactly at its own.
        account_limit = settings.MOTCUA_LOGIN_FAILURES_PER_ACCOUNT
        worst = 0
        for _name, limit, group in self.groups(request, credentials):
            failures = group.aggregate(total=Sum("failures_since_start"))["total"] or 0
            worst = max(worst, failures * account_limit // limit)
        return worst


def _handler() -> LoginAttemptHandler:
    handler = AxesProxyHandler.get_implementation()
    assert isinstance(handler, LoginAttemptHandler), "AXES_HANDLER must be LoginAttemptHandler"
    return handler


def login_locked_until(request: HttpRequest, credentials: dict[str, Any] | None = None) -> datetime.datetime | None:
    """When this request's account and address may try again; None when neither is locked."""
    AxesProxyHandler.update_request(request)
    locked = _handler().locked_groups(request, credentials)
    return _locked_until(request, locked) if locked else None


def _locked_until(
    request: HttpRequest, locked: dict[str, tuple[int, datetime.datetime]], unrecorded: int = 0
) -> datetime.datetime:
    """The end of the lockout: its last failure plus the cool-off, counting `unrecorded`
    lockouts axes has not written to its failure log yet."""
    return max(latest for _failures, latest in locked.values()) + lockout_length(
        _earlier_lockouts(request) + unrecorded
    )


# --- What the person sees -------------------------------------------------------------------


def _retry_after(until: datetime.datetime) -> int:
    return max(1, math.ceil((until - timezone.now()).total_seconds()))


def lockout_message(until: datetime.datetime) -> str:
    local = timezone.localtime(until)
    return _(
        "Đăng nhập đang tạm bị khoá vì mật khẩu bị nhập sai nhiều lần. "
        "Vui lòng thử lại sau %(time)s ngày %(date)s (khoảng %(minutes)d phút nữa)."
    ) % {
        "time": formats.time_format(local, "H:i"),
        "date": formats.date_format(local, "d/m/Y"),
        "minutes": max(1, math.ceil(_retry_after(until) / 60)),
    }


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: 429 with Retry-After; problem details under /api/, else a page."""
    until = login_locked_until(request, credentials) or timezone.now() + login_cool_off(request)
    headers = {"Retry-After": str(_retry_after(until))}
    message = lockout_message(until)
    if is_api_request(request):
        return problem_response(
            status=429,
            code="login_rate_limited",
            message=message,
            errors={"retry_after": _retry_after(until)},
            headers=headers,
        )
    response = render(request, "backoffice/login_locked.html", {"message": message, "until": until}, status=429)
    response["Retry-After"] = headers["Retry-After"]
    response["Cache-Control"] = "no-store"
    return response


# --- Telling the account holder --------------------------------------------------------------


def _account(username: str) -> User | None:
    """The account a login names: a username, or a citizen's phone number (the API)."""
    return User.objects.filter(Q(username=username) | Q(citizen__phone=username)).first()


def _lockout_email(
    *, user: User, login: str, failures: int, addresses: list[str], at: datetime.datetime, until: datetime.datetime
) -> tuple[str, str]:
    local = timezone.localtime(at)
    lines = [
        _("Kính gửi %(name)s,") % {"name": user.get_full_name() or user.get_username()},
        "",
        _(
            "Đăng nhập vào tài khoản %(login)s trên %(site)s vừa bị tạm khoá sau %(failures)d lần nhập sai "
            "mật khẩu. Lần sai gần nhất lúc %(time)s ngày %(date)s, từ địa chỉ %(addresses)s."
        )
        % {
            "login": login,
            "site": settings.MOTCUA_SITE_NAME,
            "failures": failures,
            "time": formats.time_format(local, "H:i"),
            "date": formats.date_format(local, "d/m/Y"),
            "addresses": ", ".join(addresses) or _("không rõ"),
        },
        lockout_message(until),
        "",
        _("Nếu đó là bạn: hãy chờ đến giờ trên rồi đăng nhập với mật khẩu đúng."),
        _(
            "Nếu không phải bạn: có người đang đoán mật khẩu của bạn. Hãy đổi mật khẩu ngay khi đăng nhập lại "
            "và báo cho quản trị hệ thống (gửi kèm thư này). Quản trị hệ thống có thể mở khoá sớm cho bạn."
        ),
    ]
    subject = _("Tài khoản của bạn tạm bị khoá đăng nhập do nhập sai mật khẩu nhiều lần")
    return subject, "\n".join(lines)


def login_lockout_record(*, request: HttpRequest, credentials: dict[str, Any] | None) -> None:
    """Audit a new lockout and, when an account is locked, e-mail its holder (after commit)."""
    from motcua.notifications.constants import NotificationEvent
    from motcua.notifications.services import notifications_email_record

    locked = _handler().locked_groups(request, credentials)
    if not locked:
        return
    # Axes writes this lockout to its failure log just after telling us: count it here already.
    until = _locked_until(request, locked, unrecorded=1)
    at = request.axes_attempt_time  # type: ignore[attr-defined]
    address = request.axes_ip_address  # type: ignore[attr-defined]
    login = login_username(request, credentials) or ""
    user = _account(login) if "username" in locked else None
    summary = {
        "scope": sorted(locked),
        "failures": {name: failures for name, (failures, _latest) in locked.items()},
        "ip_address": address,
        "until": until.isoformat(),
    }
    with transaction.atomic():
        if user is None:
            # No login name in the trail: an unknown one may be a mistyped password or a phone number.
            audit_record(
                actor="login-guard", action="accounts.login_locked", object_type="accounts.login", summary=summary
            )
            return
        audit_record(actor="login-guard", action="accounts.login_locked", obj=user, summary=summary)
        email = user.email or getattr(getattr(user, "citizen", None), "email", "")
        if not email:
            logger.warning("login lockout of user=%s: no e-mail address to tell", user.pk)
            return
        failures = locked["username"][0]
        account_attempts = next(
            group for name, _limit, group in _handler().groups(request, credentials) if name == "username"
        )
        addresses = sorted({str(a) for a in account_attempts.values_list("ip_address", flat=True) if a})
        subject, body = _lockout_email(
            user=user, login=login, failures=failures, addresses=addresses[:5], at=at, until=until
        )
        notifications_email_record(
            event=NotificationEvent.LOGIN_LOCKED,
            to=email,
            subject=subject,
            body=body,
            key=f"login-locked:{user.pk}:{at.isoformat()}",
        )


def on_user_locked_out(
    sender: Any, request: HttpRequest, username: str | None, ip_address: str | None, **kwargs: Any
) -> None:
    """axes' user_locked_out: sent when a lockout starts, and again for every try during it (those
    have not been counted, so axes_failures_since_start is unset); only the start is recorded."""
    if getattr(request, "axes_failures_since_start", None) is None:
        return
    login_lockout_record(request=request, credentials=getattr(request, "axes_credentials", None))


def login_lockout_lift(*, user: User, actor: Any) -> int:
    """End the lockout of `user`'s login now (an administrator's decision); returns how many
    failure records were removed. The address locks of the addresses it was guessed from stay."""
    from axes.utils import reset

    logins = [user.get_username(), *([user.citizen.phone] if hasattr(user, "citizen") and user.citizen.phone else [])]
    with transaction.atomic():
        removed = sum(reset(username=login) for login in logins)
        audit_record(actor=actor, action="accounts.login_unlocked", obj=user, summary={"failures_removed": removed})
    return removed
