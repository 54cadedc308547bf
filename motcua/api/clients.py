"""OAuth2 client credentials for other systems (django-oauth-toolkit): the token endpoint, the
scopes each client may hold, and the authentication of the back-office API.

A client is an OAuth2 application registered by an administrator with an ApiClient record
(motcua.api.models): one agency, one service account, its scopes. Only the client-credentials
grant is served; client secrets are stored hashed (as passwords) and access tokens as SHA-256
digests; a token lives MOTCUA_API_CLIENT_TOKEN_MINUTES and is sent as `Authorization: Bearer
<token>` only.
"""

import json
from typing import Any

from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, inline_serializer
from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from oauth2_provider.models import AccessToken
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import BaseScopes
from oauth2_provider.views.mixins import OAuthLibMixin
from rest_framework import exceptions, serializers
from rest_framework.parsers import FormParser
from rest_framework.permissions import SAFE_METHODS, AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from motcua.api.models import ApiClient
from motcua.api.selectors import READ_SCOPE, SCOPES, WRITE_SCOPE, api_client_problems


def _usable_client(application: Any) -> ApiClient | None:
    """The application's active ApiClient, if it is registered as the API's rules require."""
    client = (
        ApiClient.objects.filter(application=application, is_active=True)
        .select_related("application", "service_account", "agency")
        .first()
    )
    return client if client is not None and not api_client_problems(client=client) else None


class ApiClientScopes(BaseScopes):
    """django-oauth-toolkit's scopes backend: a client may ask for the scopes granted to it, and
    gets all of them when it names none."""

    def get_all_scopes(self) -> dict[str, str]:
        return SCOPES

    def get_available_scopes(
        self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any
    ) -> list[str]:
        client = _usable_client(application) if application is not None else None
        return client.scope_list() if client is not None else []

    def get_default_scopes(self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any) -> list[str]:
        return self.get_available_scopes(application, request)


class ClientCredentialsValidator(OAuth2Validator):
    """Only registered systems get tokens, and only by client credentials: no password grant
    (it would guess officers' passwords past the login lockouts), no codes, no refresh tokens."""

    def validate_grant_type(
        self, client_id: str, grant_type: str, client: Any, request: Any, *args: Any, **kwargs: Any
    ) -> bool:
        return (
            grant_type == "client_credentials"
            and _usable_client(client) is not None
            and super().validate_grant_type(client_id, grant_type, client, request, *args, **kwargs)
        )


class ApiClientAuthentication(OAuth2Authentication):
    """A bearer token in the Authorization header (never in the address), issued to a client that
    is still usable: the request then acts as the client's service account."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        if not request.META.get("HTTP_AUTHORIZATION", "").startswith("Bearer "):
            return None
        result = super().authenticate(request)
        if result is None:
            raise exceptions.AuthenticationFailed()
        token = result[1]
        client = _usable_client(token.application)
        if client is None:
            raise exceptions.AuthenticationFailed(_("Hệ thống kết nối đã bị tạm dừng hoặc cấu hình chưa đúng."))
        return client.service_account, token


class ApiClientAuthenticationScheme(OpenApiAuthenticationExtension):
    """The schema's security scheme: OAuth2 client credentials, the scope each operation needs."""

    target_class = ApiClientAuthentication
    name = "clientCredentials"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        flow = {"tokenUrl": reverse("api:oauth_token"), "scopes": SCOPES}
        return {"type": "oauth2", "flows": {"clientCredentials": flow}}

    def get_security_requirement(self, auto_schema: Any) -> dict[str, list[str]]:
        return {self.name: [READ_SCOPE if auto_schema.method in SAFE_METHODS else WRITE_SCOPE]}


class HasClientScope(BasePermission):
    """Reads need `dossiers:read`, every other method `dossiers:write`."""

    message = _("Mã truy cập không có phạm vi (scope) cho thao tác này.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        token = request.auth
        if not isinstance(token, AccessToken):
            return False
        needed = READ_SCOPE if request.method in SAFE_METHODS else WRITE_SCOPE
        return bool(token.allow_scopes([needed]))


class ClientTokenGrantSerializer(serializers.Serializer):
    grant_type = serializers.ChoiceField(choices=["client_credentials"])
    client_id = serializers.CharField(required=False, help_text="Hoặc gửi qua HTTP Basic")
    client_secret = serializers.CharField(required=False, help_text="Hoặc gửi qua HTTP Basic")
    scope = serializers.CharField(
        required=False, help_text="Các phạm vi cách nhau bởi dấu cách; bỏ trống để nhận mọi phạm vi được cấp"
    )


ClientTokenOut = inline_serializer(
    "ClientToken",
    fields={
        "access_token": serializers.CharField(help_text="Gửi kèm `Authorization: Bearer <access_token>`."),
        "token_type": serializers.CharField(),
        "expires_in": serializers.IntegerField(help_text="Số giây còn hiệu lực."),
        "scope": serializers.CharField(),
    },
)
OAuthErrorOut = inline_serializer(
    "OAuthError",
    fields={
        "error": serializers.CharField(help_text="Mã lỗi theo RFC 6749 §5.2, ví dụ invalid_client, invalid_scope"),
        "error_description": serializers.CharField(required=False),
    },
)


# RFC 6749 §5.2 errors explained in Vietnamese (oauthlib sends the code alone for most).
_OAUTH_ERRORS = {
    "invalid_client": _("Sai mã ứng dụng hoặc mã bí mật, hoặc hệ thống kết nối đã bị khóa."),
    "invalid_scope": _("Phạm vi xin không nằm trong các phạm vi được cấp cho hệ thống này."),
    "invalid_request": _("Yêu cầu thiếu hoặc sai tham số."),
    "unsupported_grant_type": _("Chỉ hỗ trợ grant_type=client_credentials."),
    "unauthorized_client": _("Hệ thống này không được dùng kiểu cấp mã này."),
}


def _described(body: str) -> str:
    """The token endpoint's error body with an `error_description` a developer can act on."""
    try:
        answer = json.loads(body or "{}")
    except ValueError:
        return body
    if isinstance(answer, dict) and answer.get("error") in _OAUTH_ERRORS and not answer.get("error_description"):
        answer["error_description"] = str(_OAUTH_ERRORS[answer["error"]])
        return json.dumps(answer, ensure_ascii=False)
    return body


@extend_schema(tags=["Hệ thống kết nối"])
class ClientTokenView(OAuthLibMixin, APIView):
    """The OAuth2 token endpoint (RFC 6749 §4.4), answered by django-oauth-toolkit itself."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    parser_classes = [FormParser]
    throttle_classes = [AnonRateThrottle]

    @extend_schema(
        summary="Lấy mã truy cập cho hệ thống kết nối (OAuth2 client credentials)",
        description=(
            "Gửi `grant_type=client_credentials` với mã ứng dụng và mã bí mật (HTTP Basic hoặc trong thân yêu cầu). "
            "Lỗi trả theo RFC 6749 (`error`), không theo dạng problem details."
        ),
        request={"application/x-www-form-urlencoded": ClientTokenGrantSerializer},
        responses={
            200: ClientTokenOut,
            400: OpenApiResponse(OAuthErrorOut, description="Yêu cầu sai, phạm vi không được cấp"),
            401: OpenApiResponse(OAuthErrorOut, description="Sai mã ứng dụng hoặc mã bí mật"),
        },
        examples=[
            OpenApiExample(
                "Xin cả hai phạm vi",
                value={"grant_type": "client_credentials", "scope": f"{READ_SCOPE} {WRITE_SCOPE}"},
                request_only=True,
            )
        ],
    )
    def post(self, request: Request) -> HttpResponse:
        _url, headers, body, status = self.create_token_response(request._request)
        response = HttpResponse(content=_described(body), status=status, content_type="application/json")
        for name, value in headers.items():
            response[name] = value
        return response
