"""Problem details (RFC 9457) for API errors, shared by the API's exception handler and the
site-wide error views (404 for unknown routes, 500, 503), which answer before DRF is reached."""

from http import HTTPStatus
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy
from rest_framework import exceptions

API_PREFIX = "/api/"
PROBLEM_CONTENT_TYPE = "application/problem+json"

# Short summaries per status (RFC 9457 lets `title` be localised).
TITLES = {
    400: gettext_lazy("Yêu cầu không hợp lệ"),
    401: gettext_lazy("Chưa xác thực"),
    403: gettext_lazy("Không có quyền truy cập"),
    404: gettext_lazy("Không tìm thấy"),
    405: gettext_lazy("Phương thức không được hỗ trợ"),
    406: gettext_lazy("Không đáp ứng được định dạng yêu cầu"),
    409: gettext_lazy("Xung đột dữ liệu"),
    413: gettext_lazy("Dữ liệu gửi lên quá lớn"),
    415: gettext_lazy("Kiểu dữ liệu không được hỗ trợ"),
    429: gettext_lazy("Quá nhiều yêu cầu"),
    500: gettext_lazy("Lỗi hệ thống"),
    503: gettext_lazy("Dịch vụ tạm gián đoạn"),
}


def is_api_request(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX) or request.path_info == API_PREFIX.rstrip("/")


def problem_response(
    *,
    status: int,
    code: str,
    message: str,
    errors: Any = None,
    headers: dict[str, str] | None = None,
) -> JsonResponse:
    title = TITLES.get(status) or HTTPStatus(status).phrase
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": str(title),
        "status": status,
        "detail": str(message),
        "code": code,
        "message": str(message),
    }
    if errors:
        body["errors"] = errors
    response = JsonResponse(
        body, status=status, content_type=PROBLEM_CONTENT_TYPE, json_dumps_params={"ensure_ascii": False}
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def public_message(exc: Exception) -> str:
    """The exception's own text when it is one of ours, else "".

    Our messages are Vietnamese, so they carry diacritics; the library defaults that reach here
    untranslated ("No Dossier matches the given query.", "Request was throttled.") are plain ASCII.
    """
    message = str(exc.args[0]) if exc.args and isinstance(exc.args[0], str | Promise) else ""
    if isinstance(exc, exceptions.APIException) and isinstance(exc.detail, str):
        message = str(exc.detail)
    return message if not message.isascii() else ""
