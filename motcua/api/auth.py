"""Tokens for API clients (mobile app, Zalo mini-app): a citizen logs in with phone and password."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from motcua.accounts.services import citizen_authenticate, client_ip
from motcua.api.errors import ErrorSerializer

TokenOut = inline_serializer("Token", fields={"token": serializers.CharField()})


class TokenRequestSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=20)
    password = serializers.CharField(max_length=128, style={"input_type": "password"})


@extend_schema(tags=["Tài khoản"])
class TokenView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(
        summary="Lấy mã truy cập (token) bằng số điện thoại và mật khẩu",
        description="Gửi kèm `Authorization: Token <token>` trong các yêu cầu sau. Sai nhiều lần sẽ bị tạm khóa.",
        request=TokenRequestSerializer,
        responses={200: TokenOut, 400: OpenApiResponse(ErrorSerializer)},
    )
    def post(self, request: Request) -> Response:
        payload = TokenRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        user = citizen_authenticate(
            phone=payload.validated_data["phone"],
            password=payload.validated_data["password"],
            client_ip=client_ip(request),
        )
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


@extend_schema(tags=["Tài khoản"])
class TokenRevokeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Thu hồi mã truy cập", request=None, responses={204: None, 403: OpenApiResponse(ErrorSerializer)}
    )
    def post(self, request: Request) -> Response:
        Token.objects.filter(user_id=int(request.user.pk or 0)).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
