"""Citizen login by phone number and password, with limits on failures, and logout by POST."""

import datetime
import logging
from collections.abc import Iterator

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from motcua.accounts.models import CitizenProfile, User

pytestmark = pytest.mark.django_db

PHONE = "0987654321"
PASSWORD = "Ca-phe-BMT-2025"
T0 = datetime.datetime(2025, 9, 1, 8, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


@pytest.fixture
def citizen() -> User:
    user = User.objects.create_user(username="cd-test-login", password=PASSWORD, first_name="Hùng", last_name="Trần")
    CitizenProfile.objects.create(user=user, full_name="Trần Hùng", phone=PHONE, phone_verified_at=timezone.now())
    return user


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def _login(client: Client, phone: str = PHONE, password: str = PASSWORD, **extra: str):
    return client.post(reverse("accounts:login"), {"phone": phone, "password": password, **extra})


def test_citizen_logs_in_with_phone_and_password(client: Client, citizen: User) -> None:
    """The phone number may be typed in any usual form; login goes to the portal home."""
    page = client.get(reverse("accounts:login"))
    assert page.status_code == 200
    assert "Đăng nhập bằng số điện thoại" in page.content.decode()
    response = _login(client, phone="+84 987 654 321")
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    assert client.session["_auth_user_id"] == str(citizen.pk)


def test_login_returns_to_next_but_never_to_another_site(client: Client, citizen: User) -> None:
    """`next` on this site is honoured; a link to another site is ignored (no open redirect)."""
    response = _login(client, next="/thu-tuc/?q=khai+sinh")
    assert response["Location"] == "/thu-tuc/?q=khai+sinh"
    client.post(reverse("accounts:logout"))
    response = _login(client, next="https://evil.example/phish")
    assert response["Location"] == reverse("portal:home")


def test_wrong_password_gets_a_clear_message(client: Client, citizen: User) -> None:
    """A wrong password is refused with a Vietnamese message that does not say which part was wrong."""
    response = _login(client, password="sai-mat-khau")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Số điện thoại hoặc mật khẩu không đúng." in html
    assert "_auth_user_id" not in client.session
    empty = _login(client, phone="", password="")
    assert "Vui lòng nhập số điện thoại." in empty.content.decode()
    assert 'id="id_phone_error"' in empty.content.decode()


def test_five_failures_lock_the_phone_for_fifteen_minutes(
    client: Client, citizen: User, clock: time_machine.Traveller
) -> None:
    """After 5 wrong passwords the right one is refused too, with the wait; 15 minutes later it works."""
    for _ in range(5):
        assert "_auth_user_id" not in client.session
        _login(client, password="sai-mat-khau")
    locked = _login(client)
    assert locked.status_code == 200
    assert "Bạn đã nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút." in locked.content.decode()
    assert "_auth_user_id" not in client.session

    clock.shift(datetime.timedelta(minutes=10))
    assert "thử lại sau 5 phút" in _login(client).content.decode()

    clock.shift(datetime.timedelta(minutes=5, seconds=1))
    assert _login(client).status_code == 302
    assert client.session["_auth_user_id"] == str(citizen.pk)


def test_failures_from_one_address_are_limited_across_phones(
    settings, client: Client, citizen: User, clock: time_machine.Traveller
) -> None:
    """Guessing many phone numbers from one address is stopped by the per-address limit."""
    settings.MOTCUA_LOGIN_FAILURES_PER_IP = 3
    for n in range(3):
        _login(client, phone=f"091200000{n}", password="doan-thu")
    locked = _login(client)
    assert "Bạn đã nhập sai quá nhiều lần" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    other_address = Client(REMOTE_ADDR="10.0.0.9")
    assert _login(other_address).status_code == 302


def test_login_needs_the_csrf_token(citizen: User) -> None:
    """A login form posted from another site is refused."""
    client = Client(enforce_csrf_checks=True)
    assert _login(client).status_code == 403


def test_logout_is_a_post(client: Client, citizen: User) -> None:
    """A link (GET) cannot log anyone out; the logout button (POST) does."""
    client.force_login(citizen)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("portal:home")
    assert "_auth_user_id" not in client.session


def test_login_logs_no_personal_data(client: Client, citizen: User, caplog) -> None:
    """Failed and successful logins leave no phone number or password in the logs."""
    caplog.set_level(logging.DEBUG)
    _login(client, password="sai-mat-khau")
    _login(client)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert PHONE not in logged and "987654321" not in logged
    assert PASSWORD not in logged and "sai-mat-khau" not in logged
