"""The site's URLs plus views that fail on purpose, for the error-page tests."""

from django.core.exceptions import BadRequest, PermissionDenied
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.urls import path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from motcua.urls import *  # noqa: F403  (the handlers too)
from motcua.urls import urlpatterns as site_urlpatterns


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def bad(request: HttpRequest) -> HttpResponse:
    raise BadRequest("bad")


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug with a secret traceback")


def database_gone(request: HttpRequest) -> HttpResponse:
    raise OperationalError("server closed the connection unexpectedly")


class BrokenApiView(APIView):
    def get(self, request: Request) -> Response:
        raise RuntimeError("a bug with a secret traceback")


urlpatterns = [
    path("_test/forbidden/", forbidden),
    path("can-bo/_test/forbidden/", forbidden),
    path("_test/bad/", bad),
    path("_test/broken/", broken),
    path("_test/database-gone/", database_gone),
    path("api/v1/_test/broken/", BrokenApiView.as_view()),
    *site_urlpatterns,
]
