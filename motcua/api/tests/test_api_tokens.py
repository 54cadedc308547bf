"""API tokens (django-rest-knox): stored as digests only, expiring, revocable one by one or all at
once, exchangeable for a fresh one; the token endpoint is limited like the staff logins."""

import datetime
from collections.abc import Iterator

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client
from knox.models import AuthToken

from motcua.core.testing import CITIZEN_PASSWORD, citizen

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
T0 = datetime.datetime(2026, 3, 2, 1, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _fresh_limits() -> None:
    cache.clear()


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def _token(client: Client, phone: str = "0912345678", password: str = CITIZEN_PASSWORD, **extra: str):
    return client.post(TOKEN_URL, {"phone": phone, "password": password}, content_type="application/json", **extra)


def _mine(client: Client, token: str):
    return client.get("/api/v1/dossiers/", HTTP_AUTHORIZATION=f"Token {token}")


def test_tokens_are_stored_as_digests_only(client: Client) -> None:
    """Nothing in the database gives the token back; the old clear-text table is gone."""
    citizen()
    response = _token(client)
    assert response.status_code == 200
    token = response.json()["token"]
    stored = list(AuthToken.objects.values_list("digest", "token_key"))
    assert len(stored) == 1
    assert all(token not in value for value in stored[0])
    assert "authtoken_token" not in connection.introspection.table_names()
    assert _mine(client, token).status_code == 200


def test_an_expired_token_is_refused(client: Client, clock: time_machine.Traveller) -> None:
    citizen()
    body = _token(client).json()
    assert datetime.datetime.fromisoformat(body["expiry"]) == T0 + datetime.timedelta(hours=10)
    clock.shift(datetime.timedelta(hours=9, minutes=59))
    assert _mine(client, body["token"]).status_code == 200
    clock.shift(datetime.timedelta(minutes=2))
    refused = _mine(client, body["token"])
    assert refused.status_code == 401 and refused.json()["code"] == "authentication_failed"
    assert "hết hạn" in refused.json()["message"]


def test_a_revoked_token_is_refused_and_others_keep_working(client: Client) -> None:
    citizen()
    phone_app, zalo_app = _token(client).json()["token"], _token(client).json()["token"]
    assert client.post("/api/v1/auth/token/revoke/", HTTP_AUTHORIZATION=f"Token {phone_app}").status_code == 204
    assert _mine(client, phone_app).status_code == 401
    assert _mine(client, zalo_app).status_code == 200


def test_revoke_all_ends_every_token_of_the_account(client: Client) -> None:
    citizen()
    first, second = _token(client).json()["token"], _token(client).json()["token"]
    assert client.post("/api/v1/auth/token/revoke-all/", HTTP_AUTHORIZATION=f"Token {first}").status_code == 204
    assert _mine(client, first).status_code == 401 and _mine(client, second).status_code == 401


def test_a_token_is_exchanged_for_a_fresh_one(client: Client, clock: time_machine.Traveller) -> None:
    """Rotation: the new token runs for the full time again and the old one stops at once."""
    citizen()
    old = _token(client).json()["token"]
    clock.shift(datetime.timedelta(hours=9))
    fresh = client.post("/api/v1/auth/token/refresh/", HTTP_AUTHORIZATION=f"Token {old}")
    assert fresh.status_code == 200
    body = fresh.json()
    assert datetime.datetime.fromisoformat(body["expiry"]) == T0 + datetime.timedelta(hours=19)
    assert _mine(client, old).status_code == 401
    assert _mine(client, body["token"]).status_code == 200


def test_the_token_endpoint_is_limited(client: Client) -> None:
    """The fifth wrong password locks the phone number: it and then the right one are refused with
    429, problem details in Vietnamese and the time to wait."""
    citizen()
    for _ in range(4):
        assert _token(client, password="doan-mo").status_code == 400
    assert _token(client, password="doan-mo").status_code == 429
    locked = _token(client)
    assert locked.status_code == 429
    assert locked["Content-Type"] == "application/problem+json"
    body = locked.json()
    assert body["code"] == "login_rate_limited" and "thử lại sau" in body["message"]
    assert 0 < int(locked["Retry-After"]) <= 15 * 60
    assert "token" not in body


def test_guessing_phones_from_one_address_locks_that_address_only(settings) -> None:
    """Behind the proxy, a guesser trying twenty phone numbers locks their own address; a citizen
    behind the same proxy still gets a token."""
    settings.MOTCUA_TRUSTED_PROXIES = 1
    citizen()
    guesser, neighbour = Client(), Client()
    for n in range(20):
        _token(guesser, phone=f"09123400{n:02d}", password="doan-mo", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert _token(guesser, HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 429
    assert _token(neighbour, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 200
