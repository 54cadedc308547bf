"""Helpers for tests of the back-office API: a registered system and its access token."""

import base64
from typing import Any
from urllib.parse import urlencode

from django.test import Client
from oauth2_provider.models import Application

from motcua.api.models import ApiClient
from motcua.directory.constants import Role
from motcua.directory.services import staff_ensure

CLIENT_SECRET = "bi-mat-cua-he-thong-thu-nghiem-0123456789"  # noqa: S105 - test fixture
TOKEN_URL = "/api/v1/oauth/token/"  # noqa: S105 - an address
BOTH_SCOPES = "dossiers:read dossiers:write"


def registered_client(
    name: str, *, agency: str = "UBND-24121", roles: tuple[str, ...] = (Role.RECEPTION,), scopes: str = BOTH_SCOPES
) -> ApiClient:
    """A system registered as an administrator does: a confidential client-credentials
    application (secret CLIENT_SECRET, stored hashed), a password-less service account holding
    `roles` at `agency`, and the ApiClient binding them."""
    account = staff_ensure(
        actor="test",
        username=f"he-thong.{name}",
        full_name=f"Hệ thống {name}",
        password=None,
        roles=[(role, agency, None) for role in roles],
        is_staff=False,
    )
    application = Application.objects.create(
        name=f"Hệ thống {name}",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_secret=CLIENT_SECRET,
    )
    client = ApiClient(application=application, agency=account.staff_roles.first().agency, service_account=account)
    client.scopes = scopes
    client.full_clean()
    client.save()
    return client


def token_response(client: Client, api_client: ApiClient, *, secret: str = CLIENT_SECRET, scope: str = "") -> Any:
    """The token endpoint's answer to the client authenticating with HTTP Basic."""
    basic = base64.b64encode(f"{api_client.application.client_id}:{secret}".encode()).decode()
    data = {"grant_type": "client_credentials", **({"scope": scope} if scope else {})}
    return client.post(
        TOKEN_URL,
        urlencode(data),
        content_type="application/x-www-form-urlencoded",
        HTTP_AUTHORIZATION=f"Basic {basic}",
    )


def bearer(client: Client, api_client: ApiClient, *, scope: str = "") -> dict[str, str]:
    """Request headers carrying a fresh access token of `api_client`."""
    response = token_response(client, api_client, scope=scope)
    assert response.status_code == 200, response.content
    return {"HTTP_AUTHORIZATION": f"Bearer {response.json()['access_token']}"}
