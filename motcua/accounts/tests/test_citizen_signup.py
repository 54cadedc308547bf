"""Citizen signup: full name, phone and password, then the SMS code; the account works only after it."""

import logging

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from motcua.accounts.models import CitizenProfile, User
from motcua.core.models import AuditEvent

pytestmark = pytest.mark.django_db

PHONE = "0912345678"
PASSWORD = "Hoa-sen-2025!"


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


@pytest.fixture
def signup(client: Client, sms_simulator, django_capture_on_commit_callbacks):
    def _signup(**overrides: str):
        data = {"full_name": "Nguyễn Thị Hoa", "phone": PHONE, "password1": PASSWORD, "password2": PASSWORD}
        data.update(overrides)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("accounts:signup"), data)

    return _signup


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_account_is_active_only_after_the_sms_code(client: Client, signup, sms_simulator) -> None:
    """Signup creates an inactive account and texts a code; the right code activates and logs in."""
    response = signup(phone="+84 912 345 678")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:signup_verify")
    profile = CitizenProfile.objects.select_related("user").get(phone=PHONE)
    assert profile.full_name == "Nguyễn Thị Hoa"
    assert profile.user.get_full_name() == "Nguyễn Thị Hoa"
    assert not profile.user.is_active
    assert profile.phone_verified_at is None
    code = sms_simulator.last_code_for(PHONE)
    assert code is not None

    # Not logged in yet, and the phone + password do not open the account.
    assert "_auth_user_id" not in client.session
    page = client.get(reverse("accounts:signup_verify"))
    assert "678" in page.content.decode() and PHONE not in page.content.decode()

    wrong = client.post(reverse("accounts:signup_verify"), {"code": _wrong(code)})
    assert wrong.status_code == 200
    assert 'id="id_code_error"' in wrong.content.decode()
    assert "Mã xác nhận không đúng" in wrong.content.decode()
    profile.user.refresh_from_db()
    assert not profile.user.is_active

    done = client.post(reverse("accounts:signup_verify"), {"code": code})
    assert done.status_code == 302
    assert done["Location"] == reverse("portal:home")
    profile.refresh_from_db()
    profile.user.refresh_from_db()
    assert profile.user.is_active
    assert profile.phone_verified_at is not None
    assert client.session["_auth_user_id"] == str(profile.user.pk)
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["accounts.citizen_signup", "accounts.citizen_phone_verified"]


def test_bad_input_gets_vietnamese_messages_next_to_the_fields(signup) -> None:
    """Each mistake is named next to its field and in the error summary; nothing is created."""
    response = signup(full_name="", phone="12345", password1="abc", password2="abd")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Có lỗi cần sửa" in html
    assert 'id="id_full_name_error"' in html and "Vui lòng nhập họ và tên." in html
    assert 'id="id_phone_error"' in html and "Số điện thoại di động phải gồm 10 chữ số" in html
    assert 'id="id_password2_error"' in html and "Hai mật khẩu không giống nhau." in html
    assert "<title>Lỗi:" in html
    assert not User.objects.exists()


def test_a_phone_number_with_an_account_cannot_sign_up_again(signup, sms_simulator, client: Client) -> None:
    """A verified number is refused next to the phone field; an unverified one may retry."""
    signup()
    retry = signup(full_name="Nguyễn Thị Hoà")
    assert retry.status_code == 302, "a number still waiting for its code may sign up again"
    assert User.objects.count() == 1
    assert len(sms_simulator.messages_to(PHONE)) == 2
    second_code = sms_simulator.last_code_for(PHONE)
    client.post(reverse("accounts:signup_verify"), {"code": second_code})
    client.post(reverse("accounts:logout"))

    refused = signup()
    assert refused.status_code == 200
    html = refused.content.decode()
    assert 'id="id_phone_error"' in html
    assert "Số điện thoại này đã có tài khoản" in html
    assert User.objects.count() == 1


def test_unverified_account_is_sent_back_to_the_code_step_on_login(
    client: Client, signup, sms_simulator, django_capture_on_commit_callbacks
) -> None:
    """Logging in before entering the code sends a new code and asks for it; no session is opened."""
    signup()
    client.cookies.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:login"), {"phone": PHONE, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:signup_verify")
    assert "_auth_user_id" not in client.session
    assert len(sms_simulator.messages_to(PHONE)) == 2
    code = sms_simulator.last_code_for(PHONE)
    client.post(reverse("accounts:signup_verify"), {"code": code})
    assert User.objects.get().is_active


def test_signup_needs_the_csrf_token(sms_simulator) -> None:
    """A signup posted from another site (no CSRF token) is refused."""
    client = Client(enforce_csrf_checks=True)
    data = {"full_name": "Nguyễn Thị Hoa", "phone": PHONE, "password1": PASSWORD, "password2": PASSWORD}
    response = client.post(reverse("accounts:signup"), data)
    assert response.status_code == 403
    assert not User.objects.exists()


def test_signups_from_one_address_are_rate_limited(settings, signup) -> None:
    """One address cannot make us text unlimited numbers: past the hourly limit it must wait."""
    settings.MOTCUA_SIGNUPS_PER_IP_PER_HOUR = 2
    assert signup(phone="0912000001").status_code == 302
    assert signup(phone="0912000002").status_code == 302
    refused = signup(phone="0912000003")
    assert refused.status_code == 200
    assert "Có quá nhiều yêu cầu đăng ký từ thiết bị này" in refused.content.decode()
    assert not CitizenProfile.objects.filter(phone="0912000003").exists()


def test_personal_data_stays_out_of_the_logs(client: Client, signup, sms_simulator, caplog) -> None:
    """Signing up and verifying log no phone number, name or password."""
    caplog.set_level(logging.DEBUG)
    signup()
    client.post(reverse("accounts:signup_verify"), {"code": sms_simulator.last_code_for(PHONE)})
    assert User.objects.get().is_active
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in (PHONE, "912345678", "Nguyễn Thị Hoa", PASSWORD):
        assert secret not in logged
