"""Password guessing on the staff and admin logins is limited per account and per address, with
lockouts that grow, keyed on the client's address behind a proxy; a correct password does not
open a locked account; its holder is told by e-mail; citizens cannot use the staff form."""

import datetime
from collections.abc import Iterator

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from motcua.accounts.models import User
from motcua.core.models import AuditEvent
from motcua.core.testing import CITIZEN_PASSWORD, citizen
from motcua.notifications.constants import NotificationEvent
from motcua.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db

STAFF_LOGIN = "/can-bo/dang-nhap/"
ADMIN_LOGIN = "/quan-tri/login/"
PASSWORD = "Mat-Khau-Can-Bo-2026"
T0 = datetime.datetime(2026, 3, 2, 1, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _fresh_limits() -> None:
    cache.clear()


@pytest.fixture
def officer() -> User:
    return User.objects.create_user(
        username="stp.thu", password=PASSWORD, is_staff=True, email="thu@stp.example.vn", first_name="Thư"
    )


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def _post(client: Client, username: str, password: str, url: str = STAFF_LOGIN, **extra: str):
    return client.post(url, {"username": username, "password": password}, **extra)


def _guess(client: Client, username: str, times: int, url: str = STAFF_LOGIN, **extra: str) -> None:
    for n in range(times):
        _post(client, username, f"doan-{n}", url, **extra)


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_thirty_wrong_passwords_then_the_right_one_is_refused(
    client: Client, officer: User, clock: time_machine.Traveller
) -> None:
    """The review's finding: after 30 wrong passwords the right one used to log in."""
    _guess(client, "stp.thu", 30)
    response = _post(client, "stp.thu", PASSWORD)
    assert response.status_code == 429
    html = response.content.decode()
    assert "Tạm khoá đăng nhập" in html and "Vui lòng thử lại sau" in html and "15 phút" in html
    assert int(response["Retry-After"]) == 15 * 60
    assert not _logged_in(client)
    # Tries during the lockout were not counted: the account stopped at its limit.
    assert sum(AccessAttempt.objects.filter(username="stp.thu").values_list("failures_since_start", flat=True)) == 5


def test_the_admin_login_is_limited_too(client: Client, officer: User) -> None:
    _guess(client, "stp.thu", 5, ADMIN_LOGIN)
    response = _post(client, "stp.thu", PASSWORD, ADMIN_LOGIN)
    assert response.status_code == 429 and "Tạm khoá đăng nhập" in response.content.decode()
    assert not _logged_in(client)


def test_one_address_is_limited_across_many_usernames(client: Client, officer: User) -> None:
    """Twenty logins guessed from one address lock that address, not the accounts elsewhere."""
    for n in range(20):
        _post(client, f"canbo{n}", "doan-mo")
    assert _post(client, "stp.thu", PASSWORD).status_code == 429
    assert not _logged_in(client)
    elsewhere = Client(REMOTE_ADDR="198.51.100.7")
    assert _post(elsewhere, "stp.thu", PASSWORD).status_code == 302
    assert _logged_in(elsewhere)


def test_nineteen_failures_from_an_office_do_not_lock_it(client: Client, officer: User) -> None:
    """The address limit is higher than the account's: colleagues behind one office address who
    mistype do not lock each other out."""
    for n in range(19):
        _post(client, f"canbo{n}", "go-nham")
    assert _post(client, "stp.thu", PASSWORD).status_code == 302


def test_lockouts_grow(client: Client, officer: User, clock: time_machine.Traveller) -> None:
    """15 minutes for the first lockout, 30 for the second within a day."""
    _guess(client, "stp.thu", 5)
    clock.shift(datetime.timedelta(minutes=14))
    assert _post(client, "stp.thu", PASSWORD).status_code == 429
    clock.shift(datetime.timedelta(minutes=1, seconds=1))
    assert _post(client, "stp.thu", PASSWORD).status_code == 302
    client.logout()

    _guess(client, "stp.thu", 5)
    locked = _post(client, "stp.thu", PASSWORD)
    assert locked.status_code == 429 and int(locked["Retry-After"]) == 30 * 60
    assert "30 phút" in locked.content.decode()
    clock.shift(datetime.timedelta(minutes=29))
    assert _post(client, "stp.thu", PASSWORD).status_code == 429
    clock.shift(datetime.timedelta(minutes=1, seconds=1))
    assert _post(client, "stp.thu", PASSWORD).status_code == 302


def test_behind_a_proxy_the_forwarded_address_counts(settings, officer: User) -> None:
    """Everyone arrives from the proxy (127.0.0.1): the address its X-Forwarded-For names is the
    one locked, so a guesser does not lock out a colleague behind the same proxy."""
    settings.MOTCUA_TRUSTED_PROXIES = 1
    User.objects.create_user(username="stp.lan", password=PASSWORD, is_staff=True)
    guesser, colleague = Client(), Client()
    for n in range(20):
        _post(guesser, f"canbo{n}", "doan-mo", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert _post(guesser, "stp.thu", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 429
    assert _post(colleague, "stp.lan", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}


def test_a_citizen_account_is_refused_at_the_staff_form(client: Client) -> None:
    """A citizen's right password gets the wrong-password message (no hint that the login exists)
    and counts as a failure, so the staff form is no way around the citizens' limits."""
    user = citizen()
    wrong = _post(Client(), user.username, "sai-mat-khau").content.decode()
    refused = _post(client, user.username, CITIZEN_PASSWORD)
    assert refused.status_code == 200 and not _logged_in(client)
    message = "và mật khẩu chính xác"
    assert message in refused.content.decode() and message in wrong
    assert sum(AccessAttempt.objects.filter(username=user.username).values_list("failures_since_start", flat=True)) == 2


def test_a_lockout_is_audited_and_emailed_to_the_account_holder(
    settings, officer: User, django_capture_on_commit_callbacks
) -> None:
    """The holder learns how many failures, from where, when, and what to do if it was not them;
    later tries during the lockout send nothing more."""
    settings.MOTCUA_TRUSTED_PROXIES = 1
    client = Client()
    with django_capture_on_commit_callbacks():
        _guess(client, "stp.thu", 8, HTTP_X_FORWARDED_FOR="203.0.113.5")
    [mail] = OutboxMessage.objects.filter(event=NotificationEvent.LOGIN_LOCKED)
    assert mail.recipient == "thu@stp.example.vn" and mail.channel == "email"
    assert "5 lần nhập sai" in mail.body and "203.0.113.5" in mail.body and "stp.thu" in mail.body
    assert "Nếu không phải bạn" in mail.body and "đổi mật khẩu" in mail.body
    local = timezone.localtime(mail.created_at)
    assert local.strftime("%H:%M") in mail.body
    [event] = AuditEvent.objects.filter(action="accounts.login_locked")
    assert event.object_id == str(officer.pk) and event.summary["scope"] == ["username"]
    assert event.summary["ip_address"] == "203.0.113.5"


def test_an_administrator_unlocks_an_account(client: Client, officer: User) -> None:
    """`axes_reset_username` (docs/operations.md) ends the lockout at once."""
    _guess(client, "stp.thu", 5)
    assert _post(client, "stp.thu", PASSWORD).status_code == 429
    call_command("axes_reset_username", "stp.thu")
    assert _post(client, "stp.thu", PASSWORD).status_code == 302


def test_the_admin_unlocks_an_account_from_the_user_list(client: Client, officer: User) -> None:
    """The admin's "Mở khoá đăng nhập" action, audited."""
    _guess(Client(REMOTE_ADDR="198.51.100.7"), "stp.thu", 5)
    admin = User.objects.create_superuser(username="quantri", password=PASSWORD)
    client.force_login(admin)
    changelist = "/quan-tri/accounts/user/"
    done = client.post(changelist, {"action": "unlock_login", "_selected_action": [officer.pk]}, follow=True)
    assert "Đã mở khoá đăng nhập cho 1 tài khoản." in done.content.decode()
    assert not AccessAttempt.objects.filter(username="stp.thu").exists()
    assert AuditEvent.objects.filter(action="accounts.login_unlocked", object_id=str(officer.pk)).exists()
    assert _post(Client(REMOTE_ADDR="198.51.100.7"), "stp.thu", PASSWORD).status_code == 302


def test_old_failed_logins_are_forgotten(client: Client, officer: User, clock: time_machine.Traveller) -> None:
    """The failure log holds login names and addresses: the periodic job keeps 30 days of it."""
    from axes.models import AccessFailureLog

    from motcua.accounts.tasks import login_failure_log_prune

    _post(client, "stp.thu", "cu-qua")
    clock.shift(datetime.timedelta(days=29))
    _post(client, "stp.thu", "moi-hon")
    clock.shift(datetime.timedelta(days=2))
    login_failure_log_prune.call()
    assert list(AccessFailureLog.objects.values_list("attempt_time", flat=True)) == [T0 + datetime.timedelta(days=29)]
