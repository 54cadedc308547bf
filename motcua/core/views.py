import re
import sys
from typing import Any
from urllib.parse import urlsplit

import botocore.exceptions
import redis.exceptions
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from motcua.core.health import health_detail_allowed, health_report, health_summary
from motcua.core.maintenance import Maintenance
from motcua.core.problems import is_api_request, problem_response, public_message


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    report = health_report()
    body = report if health_detail_allowed(request) else health_summary(report)
    return JsonResponse(body, status=200 if report["ok"] else 503)


# --- Error pages (wired as handler400/403/404/500 in motcua.urls and as CSRF_FAILURE_VIEW). ---
# Pages under these prefixes are the staff's: their errors keep the back office's look.
STAFF_PREFIXES = ("/can-bo/", "/quan-tri/")
# Retry-After while a part cannot be reached: outages and failovers last seconds to minutes.
UNAVAILABLE_RETRY_AFTER_SECONDS = 30
# Errors meaning a part the request needs (database, Redis, object store) cannot be reached now:
# the person gets "tạm gián đoạn" (503, try again shortly), not "the system has a bug" (500).
UNREACHABLE_PART_ERRORS = (
    OperationalError,
    InterfaceError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    botocore.exceptions.ConnectionError,
)


def _layout_context(request: HttpRequest) -> dict[str, Any]:
    if request.path_info.startswith(STAFF_PREFIXES):
        return {"layout": "backoffice/base.html", "home_url": "/can-bo/", "home_label": _("Về trang chủ cán bộ")}
    return {"layout": "portal/base.html", "home_url": "/", "home_label": _("Về trang chủ")}


def _error_page(request: HttpRequest, template: str, *, status: int, **context: Any) -> HttpResponse:
    return render(request, template, {**_layout_context(request), "status": status, **context}, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    too_big = isinstance(exception, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent)
    if is_api_request(request):
        message = _("Dữ liệu gửi lên quá lớn.") if too_big else _("Yêu cầu không hợp lệ.")
        return problem_response(status=400, code="request_too_large" if too_big else "bad_request", message=message)
    return _error_page(request, "errors/400.html", status=400, too_big=too_big)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    detail = public_message(exception)
    if is_api_request(request):
        message = detail or _("Bạn không có quyền thực hiện thao tác này.")
        return problem_response(status=403, code="permission_denied", message=message)
    return _error_page(request, "errors/403.html", status=403, detail=detail)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    detail = public_message(exception)
    if is_api_request(request):
        return problem_response(status=404, code="not_found", message=detail or _("Không tìm thấy địa chỉ này."))
    return _error_page(request, "errors/404.html", status=404, detail=detail)


def _part_unreachable(exc: BaseException | None) -> bool:
    """Whether the error, or one it was raised from, says a part cannot be reached."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, UNREACHABLE_PART_ERRORS):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def server_error(request: HttpRequest) -> HttpResponse:
    """500, or 503 when a part is unreachable. Touches neither the database nor the cache.

    Django calls it while handling the exception, so sys.exc_info() is the error being answered.
    """
    if _part_unreachable(sys.exc_info()[1]):
        return unavailable_response(request, maintenance=None)
    if is_api_request(request):
        return problem_response(
            status=500, code="server_error", message=_("Hệ thống gặp lỗi ngoài dự kiến. Vui lòng thử lại sau.")
        )
    return _standalone_page("errors/500.html", status=500)


def unavailable_response(request: HttpRequest, *, maintenance: Maintenance | None) -> HttpResponse:
    """503 for maintenance (when given) or an outage, with Retry-After; never cached."""
    retry_after = maintenance.retry_after_seconds() if maintenance else UNAVAILABLE_RETRY_AFTER_SECONDS
    response: HttpResponse
    if is_api_request(request):
        if maintenance:
            message = maintenance.message or _("Hệ thống đang bảo trì. Vui lòng thử lại sau.")
            response = problem_response(status=503, code="maintenance", message=message)
        else:
            message = _("Hệ thống tạm gián đoạn. Vui lòng thử lại sau ít phút.")
            response = problem_response(status=503, code="unavailable", message=message)
    else:
        until = timezone.localtime(maintenance.until) if maintenance and maintenance.until else None
        response = _standalone_page("errors/503.html", status=503, maintenance=maintenance, until=until)
    response["Retry-After"] = str(retry_after)
    add_never_cache_headers(response)
    return response


def _standalone_page(template: str, *, status: int, **context: Any) -> HttpResponse:
    """A page rendered without the request: no context processor, session, user or cache lookup.

    Used when a part may be down. Even the stylesheet's address is optional: without a
    collectstatic manifest the page still renders, unstyled.
    """
    try:
        stylesheet = static("motcua/css/main.css")
    except Exception:  # a missing manifest entry must not turn the error page into another error
        stylesheet = ""
    body = loader.render_to_string(
        template, {"site_name": settings.MOTCUA_SITE_NAME, "stylesheet": stylesheet, "status": status, **context}
    )
    return HttpResponse(body, status=status)


# --- CSRF failures. ---
# Fields never shown back: passwords, secrets, tokens and the SMS one-time code (named "code").
SECRET_FIELD = re.compile(r"pass|pwd|secret|token|csrf|otp|^code$", re.IGNORECASE)
PASSWORD_FIELD = re.compile(r"pass|pwd", re.IGNORECASE)
FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _same_origin_form_post(request: HttpRequest) -> bool:
    """Whether the failed request was a form posted from one of this site's own pages.

    Browsers set Origin (or Referer) themselves and a cross-site page cannot forge either, so a
    same-origin POST was typed into our own page by the person in front of it. Only then do we
    show the typed text back in a form with a fresh token: the resent request still needs a click
    on a page no other site can frame (X-Frame-Options DENY, frame-ancestors 'none') or read (the
    same-origin policy keeps the fresh token from it). A cross-site POST, or one without either
    header, gets the explanation only: echoing attacker-chosen fields under a valid token would
    turn a refused forgery into a one-click one.
    """
    if request.method != "POST" or request.content_type not in FORM_CONTENT_TYPES:
        return False
    if request.headers.get("Sec-Fetch-Site", "same-origin") != "same-origin":
        return False
    own_origin = f"{request.scheme}://{request.get_host()}"
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin == own_origin
    referer = urlsplit(request.headers.get("Referer", ""))
    return bool(referer.scheme) and f"{referer.scheme}://{referer.netloc}" == own_origin


def _resend_form(request: HttpRequest) -> dict[str, Any]:
    fields: list[dict[str, Any]] = []
    password_fields: list[str] = []
    for name, values in request.POST.lists():
        if SECRET_FIELD.search(name):
            if PASSWORD_FIELD.search(name):
                password_fields.append(name)
            continue
        for value in values:
            fields.append(
                {
                    "name": name,
                    "label": name.replace("_", " "),
                    "value": value,
                    "multiline": "\n" in value or len(value) > 80,
                }
            )
    files = [
        {"name": name, "label": name.replace("_", " "), "filenames": [file.name for file in uploaded]}
        for name, uploaded in request.FILES.lists()
    ]
    return {"fields": fields, "password_fields": password_fields, "files": files, "action": request.get_full_path()}


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A refused form (expired page, or a log-out/log-in in another tab) explained in Vietnamese."""
    if is_api_request(request):
        return problem_response(
            status=403,
            code="csrf_failed",
            message=_("Mã chống giả mạo (CSRF) không hợp lệ: tải lại trang rồi thử lại."),
        )
    resend = _resend_form(request) if _same_origin_form_post(request) else None
    response = _error_page(request, "errors/csrf_failure.html", status=403, resend=resend)
    # The page may carry what the person typed: no cache may keep it.
    add_never_cache_headers(response)
    return response
