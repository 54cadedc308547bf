"""A form refused by the CSRF check is explained in Vietnamese. When it was posted from this
site's own page (Origin or Referer is this site), the typed text comes back in a form with a fresh
token, one click from being sent again; passwords and tokens never come back, files must be chosen
again. A cross-site post gets the explanation only: never a resend form (that would make the
forgery work)."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils.crypto import get_random_string

from motcua.core.tests.error_helpers import assert_vietnamese_page

pytestmark = pytest.mark.django_db

LOGIN = "/can-bo/dang-nhap/"
SAME_ORIGIN = "http://testserver"


@pytest.fixture
def stale_tab() -> Client:
    """A browser tab whose login page was opened before a log-out/log-in in another tab changed the
    CSRF secret: the token in its form no longer matches its cookie."""
    client = Client(enforce_csrf_checks=True)
    client.get(LOGIN)
    client.stale_token = _token(client.get(LOGIN).content.decode())
    client.cookies["csrftoken"] = get_random_string(32)
    return client


def _token(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def test_same_origin_failure_keeps_the_typed_text_and_resends_with_one_click(stale_tab) -> None:
    get_user_model().objects.create_user(username="tiepnhan.thu", password="Mat-Khau-Rieng-2026", is_staff=True)
    data = {"csrfmiddlewaretoken": stale_tab.stale_token, "username": "tiepnhan.thu", "password": "Mat-Khau-Rieng-2026"}
    refused = stale_tab.post(LOGIN, data, HTTP_ORIGIN=SAME_ORIGIN)

    assert refused.status_code == 403
    body = assert_vietnamese_page(refused, "Biểu mẫu chưa được gửi", "đăng xuất rồi đăng nhập lại", "Gửi lại")
    assert "no-store" in refused["Cache-Control"]
    assert 'name="username" value="tiepnhan.thu"' in body
    assert "Mat-Khau-Rieng-2026" not in body and stale_tab.stale_token not in body
    assert 'type="password"' in body and 'name="password"' in body  # asked again, empty

    fresh = _token(body)
    resent = stale_tab.post(
        LOGIN,
        {"csrfmiddlewaretoken": fresh, "username": "tiepnhan.thu", "password": "Mat-Khau-Rieng-2026"},
        HTTP_ORIGIN=SAME_ORIGIN,
    )
    assert resent.status_code == 302, "the fresh token is accepted"
    assert "_auth_user_id" in stale_tab.session


def test_multipart_keeps_text_drops_files_and_secrets(stale_tab) -> None:
    data = {
        "csrfmiddlewaretoken": stale_tab.stale_token,
        "ghi_chu": "Dòng một\nDòng hai của ý kiến",
        "chon": ["a", "b"],
        "password": "bi-mat",
        "code": "123456",
        "api_token": "tok-xyz",
        "giay_to": SimpleUploadedFile("cccd-mat-truoc.pdf", b"%PDF-1.4", content_type="application/pdf"),
    }
    body = stale_tab.post(LOGIN, data, HTTP_REFERER=f"{SAME_ORIGIN}/ho-so/moi/").content.decode()
    assert 'enctype="multipart/form-data"' in body
    assert 'rows="5">\nDòng một\nDòng hai của ý kiến</textarea>' in body
    assert 'name="chon" value="a"' in body and 'name="chon" value="b"' in body
    assert "bi-mat" not in body and "123456" not in body and "tok-xyz" not in body
    assert "bạn cần chọn lại tệp" in body and "cccd-mat-truoc.pdf" in body
    assert 'type="file"' in body and 'name="giay_to"' in body


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": "https://ke-gia-mao.example"},
        {"HTTP_REFERER": "https://ke-gia-mao.example/trang.html"},
        {},  # neither header: nothing proves the form was ours
        {"HTTP_ORIGIN": SAME_ORIGIN, "HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_ORIGIN": "null"},
    ],
)
def test_cross_origin_failure_gets_no_resend_form(stale_tab, headers) -> None:
    """Echoing attacker-chosen fields under a fresh token would turn the refused forgery into a
    one-click one: a post that cannot be shown to come from our own page only gets the text."""
    data = {"csrfmiddlewaretoken": stale_tab.stale_token, "username": "nan-nhan", "next": "/chuyen-tien/"}
    refused = stale_tab.post(LOGIN, data, **headers)
    assert refused.status_code == 403
    body = assert_vietnamese_page(refused, "Biểu mẫu chưa được gửi", "tải lại trang")
    assert "nan-nhan" not in body and "/chuyen-tien/" not in body
    assert "Gửi lại</button>" not in body and 'name="username"' not in body


def test_missing_cookie_same_origin_sets_a_fresh_one() -> None:
    """The cookie was cleared: the resend form comes with a new cookie its token matches."""
    client = Client(enforce_csrf_checks=True)
    refused = client.post(LOGIN, {"username": "ai-do"}, HTTP_ORIGIN=SAME_ORIGIN)
    assert refused.status_code == 403 and "csrftoken" in refused.cookies
    assert 'name="username" value="ai-do"' in refused.content.decode()
    resent = client.post(
        LOGIN, {"csrfmiddlewaretoken": _token(refused.content.decode()), "username": "ai-do"}, HTTP_ORIGIN=SAME_ORIGIN
    )
    assert resent.status_code == 200  # the login form itself answers (password missing), not the CSRF page


def test_api_csrf_failure_is_problem_json(stale_tab) -> None:
    user = get_user_model().objects.create_user(username="congdan.api", password="x")
    stale_tab.force_login(user)
    response = stale_tab.post("/api/v1/dossiers/", HTTP_ORIGIN=SAME_ORIGIN)
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "permission_denied" and "CSRF" in body["detail"] and body["detail"].isascii() is False
