"""OAuth2 client credentials for other systems: a registered client gets a short-lived bearer
token with the scopes granted to it and no others; a wrong secret, an unknown scope, another
grant, an expired token or a deactivated client get nothing."""

import datetime
import hashlib

import pytest
import time_machine
from django.contrib.auth.hashers import check_password
from django.core.cache import cache
from django.test import Client
from oauth2_provider.models import AccessToken, Application

from motcua.api.tasks import client_tokens_clear
from motcua.api.testing import CLIENT_SECRET, bearer, registered_client, token_response
from motcua.core.testing import load_catalog
from motcua.directory.constants import Role
from motcua.directory.models import Agency, StaffRole
from motcua.dossiers.testing import officer

pytestmark = pytest.mark.django_db
QUEUE = "/api/v1/backoffice/reception-queue/"


@pytest.fixture(autouse=True)
def _world() -> None:
    cache.clear()  # the token endpoint's rate limit
    load_catalog()


def test_a_client_gets_a_short_lived_token_with_its_scopes(client: Client) -> None:
    """No scope asked: every scope granted; the token expires after 15 minutes (the default)."""
    system = registered_client("mot-cua")
    response = token_response(client, system)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 15 * 60
    assert set(body["scope"].split()) == {"dossiers:read", "dossiers:write"}
    assert response["Cache-Control"] == "no-store"
    assert response.json().get("refresh_token") is None
    assert client.get(QUEUE, HTTP_AUTHORIZATION=f"Bearer {body['access_token']}").status_code == 200


def test_secrets_and_tokens_are_stored_hashed(client: Client) -> None:
    system = registered_client("mot-cua")
    stored = Application.objects.get(pk=system.application_id).client_secret
    assert CLIENT_SECRET not in stored and check_password(CLIENT_SECRET, stored)
    token = bearer(client, system)["HTTP_AUTHORIZATION"].removeprefix("Bearer ")
    row = AccessToken.objects.get()
    assert row.token == "" and row.token_checksum == hashlib.sha256(token.encode()).hexdigest()


def test_a_wrong_secret_gets_no_token(client: Client) -> None:
    system = registered_client("mot-cua")
    response = token_response(client, system, secret="doan-bua")
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"
    assert response.json()["error_description"] == "Sai mã ứng dụng hoặc mã bí mật, hoặc hệ thống kết nối đã bị khóa."
    assert not AccessToken.objects.exists()


def test_a_scope_not_granted_gets_no_token(client: Client) -> None:
    """A read-only client may not ask for writing, nor anyone for a scope that does not exist."""
    reader = registered_client("doc", scopes="dossiers:read")
    refused = token_response(client, reader, scope="dossiers:read dossiers:write")
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_scope"
    assert "phạm vi được cấp" in refused.json()["error_description"]
    unknown = token_response(client, reader, scope="admin")
    assert unknown.status_code == 400 and unknown.json()["error"] == "invalid_scope"
    assert token_response(client, reader, scope="dossiers:read").json()["scope"] == "dossiers:read"


def test_only_the_client_credentials_grant_is_served(client: Client) -> None:
    """An officer's password cannot be tried here (the password grant would go round the login lockouts)."""
    system = registered_client("mot-cua")
    Application.objects.filter(pk=system.application_id).update(authorization_grant_type=Application.GRANT_PASSWORD)
    response = client.post(
        "/api/v1/oauth/token/",
        {"grant_type": "password", "username": "xa.tn", "password": "x", "client_id": system.application.client_id},
    )
    assert response.status_code in (400, 401) and "error" in response.json()
    assert not AccessToken.objects.exists()


def test_an_expired_token_is_refused(client: Client) -> None:
    system = registered_client("mot-cua")
    start = datetime.datetime(2026, 3, 2, 1, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        headers = bearer(client, system)
        clock.shift(datetime.timedelta(minutes=14))
        assert client.get(QUEUE, **headers).status_code == 200
        clock.shift(datetime.timedelta(minutes=2))
        refused = client.get(QUEUE, **headers)
    assert refused.status_code == 401 and refused.json()["code"] == "authentication_failed"
    assert refused["WWW-Authenticate"].startswith("Bearer")


def test_a_deactivated_client_or_account_is_refused_at_once(client: Client) -> None:
    """Deactivating the client, or giving its account a role at another agency, stops its tokens."""
    system = registered_client("mot-cua")
    headers = bearer(client, system)
    system.is_active = False
    system.save()
    assert client.get(QUEUE, **headers).status_code == 401
    assert token_response(client, system).status_code in (400, 401)
    system.is_active = True
    system.save()
    assert client.get(QUEUE, **headers).status_code == 200
    StaffRole.objects.create(user=system.service_account, role=Role.RECEPTION, agency=Agency.objects.get(code="STP"))
    assert client.get(QUEUE, **headers).status_code == 401


def test_a_token_in_the_address_is_not_accepted(client: Client) -> None:
    """Addresses end up in logs: only the Authorization header carries a token."""
    system = registered_client("mot-cua")
    token = bearer(client, system)["HTTP_AUTHORIZATION"].removeprefix("Bearer ")
    assert client.get(QUEUE, {"access_token": token}).status_code == 401


def test_a_citizen_token_or_a_session_does_not_open_the_backoffice_api(client: Client) -> None:
    client.force_login(officer("xa.tn"))
    assert client.get(QUEUE).status_code == 401


def test_the_workers_delete_expired_tokens(client: Client) -> None:
    """The hourly job deletes expired tokens and keeps the live ones."""
    system = registered_client("mot-cua")
    start = datetime.datetime(2026, 3, 2, 1, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        bearer(client, system)
        client_tokens_clear.call()
        assert AccessToken.objects.count() == 1
        clock.shift(datetime.timedelta(minutes=16))
        bearer(client, system)
        client_tokens_clear.call()
    assert AccessToken.objects.count() == 1
