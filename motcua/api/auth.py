"""Tokens for API clients (mobile app, Zalo mini-app): a citizen logs in with phone and password.

Tokens are django-rest-knox's: only a SHA-512 digest is stored, each expires after
MOTCUA_API_TOKEN_HOURS, and a client may revoke the one it holds, all of its own, or exchange it
for a fresh one (rotation). Wrong passwords count towards the login lockouts (accounts.lockout)
besides the citizen's own per-phone limit.
"""

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from knox.auth import TokenAuthentication
from knox.models import AuthToken
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from motcua.accounts.lockout import lockout_response, login_attempt_name
from motcua.accounts.models import User
from motcua.accounts.services import citizen_authenticate, client_ip
from motcua.api.errors import ErrorSerializer
from motcua.core.errors import ApplicationError
from motcua.core.validators import validate_vn_phone

TokenOut = inline_serializer(
    "Token",
    fields={
        "token": serializers.CharField(help_text="Gửi kèm `Authorization: Token <token>`."),
        "expiry": serializers.DateTimeField(help_text="Hết hạn lúc này; sau đó cần đăng nhập lại."),
    },
)
UNAUTHENTICATED = OpenApiResponse(ErrorSerializer, description="Mã truy cập sai, hết hạn hoặc đã thu hồi")


class TokenRequestSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=20)
    password = serializers.CharField(max_length=128, style={"input_type": "password"})


def _token_issue(user: User) -> Response:
    """A new token for `user`; the user's expired ones are deleted on the way."""
    AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
    instance, token = AuthToken.objects.create(user=user)
    return Response({"token": token, "expiry": instance.expiry})


@extend_schema(tags=["Tài khoản"])
class TokenView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(
        summary="Lấy mã truy cập (token) bằng số điện thoại và mật khẩu",
        description=(
            "Gửi kèm `Authorization: Token <token>` trong các yêu cầu sau; mã hết hạn lúc `expiry`. "
            "Sai nhiều lần sẽ bị tạm khóa (429, `Retry-After`), kể cả với mật khẩu đúng."
        ),
        request=TokenRequestSerializer,
        responses={
            200: TokenOut,
            400: OpenApiResponse(ErrorSerializer),
            429: OpenApiResponse(ErrorSerializer, description="Tạm khóa đăng nhập; thử lại sau `Retry-After` giây"),
        },
    )
    def post(self, request: Request) -> Response:
        payload = TokenRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        phone = payload.validated_data["phone"]
        try:
            login = validate_vn_phone(phone)
        except ValidationError:
            login = phone.strip()
        credentials = login_attempt_name(request._request, login)
        if not AxesProxyHandler.is_allowed(request._request, credentials):
            return lockout_response(request._request, None, credentials)  # type: ignore[return-value]
        try:
            user = citizen_authenticate(
                phone=phone, password=payload.validated_data["password"], client_ip=client_ip(request)
            )
        except ApplicationError as error:
            if error.code == "login_failed":
                user_login_failed.send(sender=__name__, credentials=credentials, request=request._request)
                if getattr(request._request, "axes_locked_out", False):
                    return lockout_response(request._request, None, credentials)  # type: ignore[return-value]
            raise
        return _token_issue(user)


@extend_schema(tags=["Tài khoản"])
class TokenRevokeView(APIView):
    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Thu hồi mã truy cập đang dùng",
        request=None,
        responses={204: None, 401: UNAUTHENTICATED},
    )
    def post(self, request: Request) -> Response:
        request.auth.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["Tài khoản"])
class TokenRevokeAllView(APIView):
    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Thu hồi mọi mã truy cập của tài khoản (mọi thiết bị)",
        request=None,
        responses={204: None, 401: UNAUTHENTICATED},
    )
    def post(self, request: Request) -> Response:
        AuthToken.objects.filter(user_id=request.user.pk).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["Tài khoản"])
class TokenRefreshView(APIView):
    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Đổi mã truy cập đang dùng lấy mã mới (mã cũ bị thu hồi ngay)",
        description="Ứng dụng gọi trước khi mã hết hạn để không phải đăng nhập lại.",
        request=None,
        responses={200: TokenOut, 401: UNAUTHENTICATED},
    )
    def post(self, request: Request) -> Response:
        with transaction.atomic():
            request.auth.delete()
            return _token_issue(request.user)  # type: ignore[arg-type]
