"""API errors as problem details (RFC 9457), never an HTML page.

Every error under /api/ answers `application/problem+json` with the standard members (`type`,
`title`, `status`, `detail`) and the members clients had before them: a stable `code`, a
Vietnamese `message` (the same text as `detail`) and, for invalid input, `errors` per field.
`type` is always "about:blank": `code` names the problem precisely.
"""

import math
from http import HTTPStatus
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema
from rest_framework import exceptions, serializers
from rest_framework.views import exception_handler as drf_exception_handler

from motcua.core.errors import ApplicationError
from motcua.core.problems import PROBLEM_CONTENT_TYPE, TITLES, problem_response, public_message


class ErrorSerializer(serializers.Serializer):
    """A problem details object (RFC 9457) with the platform's `code`, `message` and `errors`."""

    type = serializers.CharField(help_text="Luôn là about:blank; `code` cho biết lỗi cụ thể.")
    title = serializers.CharField(help_text="Tóm tắt ngắn theo mã trạng thái HTTP.")
    status = serializers.IntegerField(help_text="Mã trạng thái HTTP.")
    detail = serializers.CharField(help_text="Giải thích cho trường hợp này (giống `message`).")
    code = serializers.CharField(help_text="Mã lỗi ổn định để chương trình xử lý.")
    message = serializers.CharField(help_text="Thông báo tiếng Việt cho người dùng.")
    errors = serializers.DictField(required=False, help_text="Lỗi theo từng trường dữ liệu.")


def _api_exception_message(exc: exceptions.APIException, code: str, request: HttpRequest | None) -> str:
    if code == "permission_denied" and str(exc.detail).startswith("CSRF Failed"):
        return _("Mã chống giả mạo (CSRF) không hợp lệ: tải lại trang rồi thử lại.")
    if own := public_message(exc):
        return own
    if isinstance(exc, exceptions.Throttled):
        return _("Bạn đã gửi quá nhiều yêu cầu. Vui lòng thử lại sau %(seconds)s giây.") % {
            "seconds": math.ceil(getattr(exc, "wait", None) or 1)
        }
    if isinstance(exc, exceptions.MethodNotAllowed):
        method = request.method if request is not None else ""
        return _("Phương thức %(method)s không được hỗ trợ ở địa chỉ này.") % {"method": method}
    messages = {
        "not_authenticated": _("Bạn cần đăng nhập hoặc gửi mã truy cập để dùng chức năng này."),
        "authentication_failed": _("Mã truy cập không hợp lệ, đã hết hạn hoặc đã bị thu hồi."),
        "permission_denied": _("Bạn không có quyền thực hiện thao tác này."),
        "not_found": _("Không tìm thấy."),
        "not_acceptable": _("Không trả lời được theo định dạng mà tiêu đề Accept yêu cầu."),
        "unsupported_media_type": _("Kiểu dữ liệu gửi lên không được hỗ trợ."),
        "parse_error": _("Không đọc được dữ liệu gửi lên (sai định dạng)."),
    }
    return messages.get(code) or str(TITLES.get(exc.status_code) or HTTPStatus(exc.status_code).phrase)


def exception_handler(exc: Exception, context: dict[str, Any]) -> JsonResponse | None:
    """DRF's exception handler: every known error as problem details.

    Anything else is left to Django (it logs it and calls `handler500`, which also answers problem
    details under /api/, without a traceback).
    """
    if isinstance(exc, ApplicationError):
        if exc.code == "login_rate_limited":
            # The citizen's own login limit answers like the login lockout (accounts.lockout).
            wait = str(exc.extra.get("retry_after", 60))
            return problem_response(
                status=429, code=exc.code, message=exc.message, errors=exc.extra, headers={"Retry-After": wait}
            )
        if exc.code == "dossier_stale":
            # A write based on an old revision is a conflict; the pages' wording speaks of reloading.
            message = _("Hồ sơ đã thay đổi từ lần đọc trước (hoặc yêu cầu bị gửi lặp); hãy đọc lại hồ sơ rồi gửi lại.")
            return problem_response(status=409, code=exc.code, message=message, errors=exc.extra)
        # An outside system we depend on is down: the client may try again later.
        status = 503 if exc.code == "gateway_unavailable" else 400
        return problem_response(status=status, code=exc.code, message=exc.message, errors=exc.extra)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(public_message(exc) or None)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(public_message(exc) or None)
    # DRF's own handler adds WWW-Authenticate and Retry-After and rolls back an atomic request.
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return None
    headers = {name: value for name, value in response.headers.items() if name in ("WWW-Authenticate", "Retry-After")}
    if isinstance(exc, exceptions.ValidationError):
        return problem_response(
            status=response.status_code,
            code="invalid",
            message=_("Dữ liệu không hợp lệ."),
            errors=response.data,
            headers=headers,
        )
    codes = exc.get_codes()
    code = codes if isinstance(codes, str) else "error"
    message = _api_exception_message(exc, code, context.get("request"))
    return problem_response(status=response.status_code, code=code, message=message, headers=headers)


ERROR_REF = {"$ref": "#/components/schemas/Error"}
PROBLEM = {"content": {PROBLEM_CONTENT_TYPE: {"schema": ERROR_REF}}}
RETRY_AFTER = {"Retry-After": {"schema": {"type": "integer"}, "description": "Số giây nên chờ trước khi thử lại"}}


class ProblemAutoSchema(AutoSchema):
    """drf-spectacular's schema, plus 429 (with Retry-After) on every operation of a throttled view."""

    def get_operation(self, *args: Any, **kwargs: Any) -> Any:
        operation = super().get_operation(*args, **kwargs)
        if operation is not None and self.view.get_throttles():
            operation["responses"].setdefault(
                "429", {"description": "Gửi quá nhiều yêu cầu", "headers": RETRY_AFTER, **PROBLEM}
            )
        return operation


def _is_oauth_error(content: dict[str, Any]) -> bool:
    return any(media.get("schema") == {"$ref": "#/components/schemas/OAuthError"} for media in content.values())


def problem_schema_hook(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing: error responses are problem+json; 500 and 503 everywhere,
    404 on paginated lists, 415 where a body is read.

    Any operation can meet an unexpected error (500), maintenance mode or a database outage (503,
    with Retry-After), so the schema says so once here rather than on every view.
    """
    unavailable = {
        "description": "Bảo trì hoặc tạm gián đoạn (cơ sở dữ liệu không truy cập được)",
        "headers": RETRY_AFTER,
        **PROBLEM,
    }
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in ("get", "put", "post", "delete", "patch", "head", "options"):
                continue
            responses = operation.setdefault("responses", {})
            for status, response in responses.items():
                content = response.get("content")
                # The OAuth2 token endpoint answers errors as RFC 6749 says (application/json).
                if status[:1] in ("4", "5") and content and not _is_oauth_error(content):
                    response["content"] = {PROBLEM_CONTENT_TYPE: next(iter(content.values()))}
            if any(parameter.get("name") == "page" for parameter in operation.get("parameters", [])):
                # DRF's page-number pagination answers 404 for a page that is not a number or past the end.
                responses.setdefault("404", {"description": "Không có trang này", **PROBLEM})
            if "requestBody" in operation:
                responses.setdefault("415", {"description": "Kiểu dữ liệu gửi lên không được hỗ trợ", **PROBLEM})
            responses.setdefault("500", {"description": "Lỗi hệ thống", **PROBLEM})
            responses.setdefault("503", unavailable)
    return result
