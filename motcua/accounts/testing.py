"""Test helpers for single sign-on: a local OIDC provider (oidc-provider-mock) and our client."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import oidc_provider_mock
import pytest

ID_NUMBER = "066090123456"  # Đắk Lắk (066), man born in the 20th century (0), 1990
CLAIMS: dict[str, Any] = {
    "citizen_id": ID_NUMBER,
    "name": "Y Moan Niê",
    "birthdate": "1990-03-12",
    "phone_number": "+84912345678",
    "phone_number_verified": True,
    "email": "ymoan@example.vn",
}
CALLBACK_PATH = "/tai-khoan/sso/oidc/vneid/login/callback/"


@dataclass
class Provider:
    issuer: str
    client_id: str
    client_secret: str

    def put_user(self, sub: str, claims: dict[str, Any]) -> None:
        response = httpx.put(f"{self.issuer}/users/{quote(sub)}", json=claims, timeout=5)
        assert response.status_code == 204


def provider_settings(provider: Provider) -> dict[str, Any]:
    # The same shape motcua.conf.base builds from MOTCUA_OIDC_*.
    return {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": True,
            "APP": {
                "provider_id": "vneid",
                "name": "VNeID / Cổng Dịch vụ công quốc gia",
                "client_id": provider.client_id,
                "secret": provider.client_secret,
                "settings": {"server_url": provider.issuer, "scope": ["openid", "profile", "email", "phone"]},
            },
        }
    }


@pytest.fixture(scope="module")
def oidc_server() -> Iterator[str]:
    with oidc_provider_mock.run_server_in_thread(port=0, require_client_registration=True) as server:
        yield f"http://localhost:{server.server_port}"


def register_client(issuer: str, redirect_uri: str) -> Provider:
    response = httpx.post(
        f"{issuer}/oauth2/clients",
        json={"redirect_uris": [redirect_uri], "token_endpoint_auth_method": "client_secret_post"},
        timeout=5,
    )
    assert response.status_code == 201
    body = response.json()
    return Provider(issuer=issuer, client_id=body["client_id"], client_secret=body["client_secret"])
