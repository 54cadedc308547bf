"""An officer registers a passkey on the "Bảo mật đăng nhập" page and logs in with it as the
second step, in Chromium with its virtual authenticator (CDP WebAuthn domain) standing in for a
phone's or laptop's fingerprint reader."""

import re
from typing import Any

import pytest
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import Page, expect

from motcua.core.models import AuditEvent
from motcua.directory.constants import Role
from motcua.directory.services import staff_ensure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Khoa-Truy-Cap-2026"


def _log_in(page: Page, base: str) -> None:
    page.goto(f"{base}/can-bo/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("canbo.passkey")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def test_register_a_passkey_then_log_in_with_it(page: Page, live_server: Any, settings: Any) -> None:
    # Passkeys are bound to the host name and origin the browser sees (the live server's).
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    user = staff_ensure(
        actor="test",
        username="canbo.passkey",
        full_name="Cán bộ Khóa Truy Cập",
        password=PASSWORD,
        roles=[(Role.RECEPTION, None, None)],
    )
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )

    _log_in(page, live_server.url)
    expect(page).to_have_url(re.compile(r"/can-bo/$"))  # no device yet: no second step
    page.get_by_role("link", name="Bảo mật đăng nhập").click()
    # The library's script binds the button once its translations (jsi18n) have loaded: a click
    # before that does nothing.
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Đăng ký khóa truy cập").click()
    # The ceremony runs in the browser, then the server verifies it: give a loaded machine time.
    expect(page.get_by_role("heading", name="Mã dự phòng của bạn")).to_be_visible(timeout=20_000)
    expect(page.get_by_role("cell", name="Khóa truy cập (passkey)")).to_be_visible()
    assert WebAuthnCredential.objects.filter(user=user, confirmed=True).count() == 1
    assert AuditEvent.objects.filter(action="second_factor.enrol", summary__method="passkey").count() == 1

    page.get_by_role("button", name="Đăng xuất").click()
    _log_in(page, live_server.url)
    expect(page.get_by_role("heading", name="Xác thực bước hai")).to_be_visible()
    page.goto(f"{live_server.url}/can-bo/viec/")  # the password alone opens nothing
    expect(page).to_have_url(re.compile(r"/can-bo/xac-thuc/\?next="))
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Xác thực bằng khóa truy cập").click()
    expect(page).to_have_url(re.compile(r"/can-bo/viec/$"))
    expect(page.get_by_role("heading", name="Hồ sơ cần xử lý")).to_be_visible(timeout=20_000)
