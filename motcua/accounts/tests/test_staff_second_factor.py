"""A second factor for staff (issue 17, finding 6): an officer enrols an authenticator app and gets
backup codes; afterwards the password alone opens nothing (back office, admin, API with the
session cookie) until a code is given; wrong codes are refused with a growing wait and audited; a
backup code works once; an administrator on the production setting must enrol before anything
else; an operator's reset command removes a lost device, audited."""

import json
import re
import time
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from motcua.core.models import AuditEvent
from motcua.directory.constants import Role
from motcua.directory.services import staff_ensure

pytestmark = pytest.mark.django_db

PASSWORD = "Bao-Mat-Hai-Buoc-2026"


def _officer(username: str = "canbo.baomat", role: str = Role.RECEPTION, **flags: bool) -> Any:
    roles = [(role, None, None)]
    return staff_ensure(actor="test", username=username, full_name="Cán bộ", password=PASSWORD, roles=roles, **flags)


def _code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """What the officer's app shows now (or `steps_ahead` periods later: a code already used is
    refused, as the app would show the next one)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def _login(client: Client, username: str) -> None:
    response = client.post("/can-bo/dang-nhap/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302


def _enrolled(username: str = "canbo.baomat", **flags: bool) -> tuple[Any, TOTPDevice, list[str]]:
    user = _officer(username, **flags)
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    backup = StaticDevice.objects.create(user=user, name="backup", confirmed=True)
    codes = ["abcd2345", "efgh6723"]
    for code in codes:
        StaticToken.objects.create(device=backup, token=code)
    return user, device, codes


def test_enrol_an_app_then_login_asks_for_its_code(client: Client) -> None:
    user = _officer()
    _login(client, user.username)
    assert client.get("/can-bo/").status_code == 200  # no device yet: the officer may choose
    page = client.get("/can-bo/bao-mat/ung-dung-xac-thuc/").content.decode()
    assert "<svg" in page  # the QR code of the otpauth:// address
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert re.search(r'id="totp-secret">[A-Z2-7]{32}<', page)

    wrong = client.post("/can-bo/bao-mat/ung-dung-xac-thuc/", {"code": "000000" if _code(device) != "000000" else "1"})
    assert "Mã không đúng" in wrong.content.decode()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)

    response = client.post("/can-bo/bao-mat/ung-dung-xac-thuc/", {"code": _code(device)})
    assert response.status_code == 302 and response["Location"] == "/can-bo/bao-mat/"
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    security = client.get("/can-bo/bao-mat/").content.decode()
    codes = list(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert len(codes) == 10 and all(code in security for code in codes)
    assert codes[0] not in client.get("/can-bo/bao-mat/").content.decode()  # shown once
    assert AuditEvent.objects.filter(action="second_factor.enrol", object_id=str(user.pk)).exists()

    client.post("/can-bo/dang-xuat/")
    _login(client, user.username)
    response = client.get("/can-bo/viec/")
    assert response.status_code == 302 and response["Location"] == "/can-bo/xac-thuc/?next=%2Fcan-bo%2Fviec%2F"
    page = client.get(response["Location"]).content.decode()
    assert "Xác thực bước hai" in page
    response = client.post("/can-bo/xac-thuc/", {"code": _code(device, steps_ahead=1), "next": "/can-bo/viec/"})
    assert response.status_code == 302 and response["Location"] == "/can-bo/viec/"
    assert client.get("/can-bo/viec/").status_code == 200


def test_wrong_codes_are_refused_throttled_and_audited(client: Client) -> None:
    user, device, _codes = _enrolled()
    _login(client, user.username)
    right = _code(device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    page = client.post("/can-bo/xac-thuc/", {"code": wrong}).content.decode()
    assert "Mã xác thực không đúng hoặc đã hết hạn" in page
    # Right after a failure even the right code waits: the delay doubles with each failure.
    page = client.post("/can-bo/xac-thuc/", {"code": right}).content.decode()
    assert "Bạn đã nhập sai 1 lần liên tiếp. Vui lòng thử lại sau" in page
    assert client.get("/can-bo/").status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    failures = AuditEvent.objects.filter(action="second_factor.verify_failed", object_id=str(user.pk))
    assert [event.summary["throttled"] for event in failures.order_by("id")] == [False, True]


def test_a_password_only_session_reaches_no_staff_page_admin_or_api(client: Client) -> None:
    user, device, _codes = _enrolled(is_staff=True)
    client.force_login(user)
    for path in ("/can-bo/", "/can-bo/tiep-nhan/", "/can-bo/bao-mat/", "/quan-tri/", "/quan-tri/accounts/user/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/can-bo/xac-thuc/?next="), path
    api = client.get("/api/v1/dossiers/")
    assert api.status_code == 403 and api.json()["code"] == "second_factor_required"
    # Registering a passkey would bypass the step: refused too.
    assert client.post("/can-bo/khoa-truy-cap/registration/begin/").status_code == 302
    assert not WebAuthnCredential.objects.exists()
    assert client.post("/can-bo/dang-xuat/").status_code == 302  # leaving is always possible

    client.force_login(user)
    client.post("/can-bo/xac-thuc/", {"code": _code(device)})
    assert client.get("/can-bo/").status_code == 200
    assert client.get("/quan-tri/").status_code == 200


def test_a_backup_code_works_once(client: Client) -> None:
    user, _device, codes = _enrolled()
    _login(client, user.username)
    response = client.post("/can-bo/xac-thuc/", {"code": codes[0].upper()})
    assert response.status_code == 302 and response["Location"] == "/can-bo/"
    assert client.get("/can-bo/").status_code == 200
    assert not StaticToken.objects.filter(token=codes[0]).exists()

    client.post("/can-bo/dang-xuat/")
    _login(client, user.username)
    page = client.post("/can-bo/xac-thuc/", {"code": codes[0]}).content.decode()
    assert "Mã dự phòng không đúng hoặc đã được dùng" in page
    assert client.get("/can-bo/").status_code == 302


@pytest.mark.parametrize(
    ("role", "flags"),
    [(Role.SYSTEM_ADMIN, {"is_superuser": True, "is_staff": True}), (Role.AGENCY_ADMIN, {})],
    ids=["superuser", "agency-admin"],
)
def test_an_administrator_without_a_device_must_enrol_on_the_production_setting(
    client: Client, role: str, flags: dict[str, bool]
) -> None:
    admin = _officer("quantri.baomat", role=role, **flags)
    client.force_login(admin)
    assert client.get("/can-bo/").status_code == 200  # embedded and test profiles: not required
    with override_settings(MOTCUA_REQUIRE_ADMIN_SECOND_FACTOR=True):
        for path in ("/can-bo/", "/can-bo/viec/", "/quan-tri/", "/can-bo/xac-thuc/"):
            response = client.get(path)
            assert response.status_code == 302, path
            assert response["Location"].startswith("/can-bo/bao-mat/?next="), path
        assert client.get("/api/v1/dossiers/").json()["code"] == "second_factor_required"
        page = client.get("/can-bo/bao-mat/").content.decode()
        assert "Cần đăng ký xác thực hai bước" in page
        client.get("/can-bo/bao-mat/ung-dung-xac-thuc/")
        device = TOTPDevice.objects.get(user=admin)
        client.post("/can-bo/bao-mat/ung-dung-xac-thuc/", {"code": _code(device)})
        assert client.get("/can-bo/viec/").status_code == 200
        # An ordinary officer is not forced.
        client.force_login(_officer("canbo.thuong"))
        assert client.get("/can-bo/").status_code == 200


def test_removing_a_device_needs_the_password_or_a_current_code(client: Client) -> None:
    user, device, _codes = _enrolled()
    _login(client, user.username)
    client.post("/can-bo/xac-thuc/", {"code": _code(device)})
    url = f"/can-bo/bao-mat/go/{device.persistent_id}/"
    page = client.post(url, {"confirmation": "sai-mat-khau"}).content.decode()
    assert "Mật khẩu hoặc mã xác thực không đúng" in page
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert client.post(url, {"confirmation": _code(device, steps_ahead=1)})["Location"] == "/can-bo/bao-mat/"
    # The last device gone, its backup codes go with it.
    assert not TOTPDevice.objects.filter(user=user).exists() and not StaticDevice.objects.filter(user=user).exists()
    event = AuditEvent.objects.get(action="second_factor.remove", object_id=str(user.pk))
    assert event.summary == {"method": "totp", "last": True}


def test_an_operator_resets_a_lost_device(client: Client) -> None:
    user, _device, _codes = _enrolled(is_superuser=True, is_staff=True)
    call_command("staff_second_factor_reset", user.username, reason="Phiếu hỗ trợ 42: mất điện thoại")
    assert not TOTPDevice.objects.filter(user=user).exists() and not StaticDevice.objects.filter(user=user).exists()
    event = AuditEvent.objects.get(action="second_factor.reset", object_id=str(user.pk))
    assert event.actor_label.startswith("operator:") and event.summary["devices"] == 2
    with override_settings(MOTCUA_REQUIRE_ADMIN_SECOND_FACTOR=True):
        _login(client, user.username)
        assert client.get("/can-bo/")["Location"].startswith("/can-bo/bao-mat/")
    with pytest.raises(CommandError):
        call_command("staff_second_factor_reset", "khong.ton.tai", reason="x")


def test_the_admin_login_form_leads_to_the_second_step_too(client: Client) -> None:
    user, device, _codes = _enrolled(is_staff=True, is_superuser=True)
    response = client.post("/quan-tri/login/?next=/quan-tri/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    response = client.get("/quan-tri/")
    assert response["Location"] == "/can-bo/xac-thuc/?next=%2Fquan-tri%2F"
    response = client.post("/can-bo/xac-thuc/", {"code": _code(device), "next": "/quan-tri/"})
    assert response["Location"] == "/quan-tri/" and client.get("/quan-tri/").status_code == 200
    # Devices are managed on the security page and by the reset command (audited), not the admin.
    assert client.get("/quan-tri/otp_totp/totpdevice/").status_code == 404


def test_citizens_get_no_security_page_nor_passkeys(client: Client) -> None:
    from motcua.core.testing import citizen

    client.force_login(citizen())
    # The staff area turns citizens away before any view (backoffice.middleware.StaffAreaMiddleware).
    assert client.get("/can-bo/bao-mat/").status_code == 403
    assert client.post("/can-bo/khoa-truy-cap/registration/begin/", content_type="application/json").status_code == 403


def test_the_passkey_scripts_speak_vietnamese(client: Client) -> None:
    client.force_login(_officer())
    catalog = client.get("/can-bo/khoa-truy-cap/jsi18n/").content.decode()
    assert json.dumps("Đăng ký thành công!") in catalog  # django-otp-webauthn ships no Vietnamese
