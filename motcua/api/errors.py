"""JSON errors for the API: a stable `code` and a Vietnamese `message`, never an HTML page."""

from typing import Any

from django.http import Http404
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from motcua.core.errors import ApplicationError


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    errors = serializers.DictField(required=False)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        body: dict[str, Any] = {"code": exc.code, "message": exc.message}
        if exc.extra:
            body["errors"] = exc.extra
        # A write based on an old revision of the dossier is a conflict, not a bad request.
        return Response(body, status=409 if exc.code == "dossier_stale" else 400)
    if isinstance(exc, Http404):
        return Response({"code": "not_found", "message": str(exc) or "Không tìm thấy."}, status=404)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"code": "invalid", "message": "Dữ liệu không hợp lệ.", "errors": response.data}
    elif isinstance(exc, exceptions.APIException):
        response.data = {
            "code": exc.get_codes() if isinstance(exc.get_codes(), str) else "error",
            "message": str(exc.detail),
        }
    return response
