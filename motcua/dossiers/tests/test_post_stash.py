"""Answers posted after the session expired: kept only for the browser session that posted them,
offered back after that session logs in, applied only when the person confirms, and bounded in
size, number, lifetime and rate (issue 17, finding 3)."""

import datetime
import re
from typing import Any
from urllib.parse import unquote

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from motcua.catalog.eforms import procedure_forms_load
from motcua.core.testing import CITIZEN_PASSWORD, citizen
from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.dossiers.post_stash import SESSION_KEY

pytestmark = pytest.mark.django_db

FORM = {
    "version": 1,
    "pages": [
        {
            "id": "nguoi-yeu-cau",
            "title": "Người yêu cầu",
            "fields": [
                {"name": "applicant_name", "type": "text", "label": "Họ tên người yêu cầu"},
                {"name": "applicant_address", "type": "text", "label": "Nơi cư trú"},
            ],
        },
        {
            "id": "tre-em",
            "title": "Trẻ em",
            "fields": [{"name": "child_full_name", "type": "text", "label": "Họ, chữ đệm, tên"}],
        },
    ],
}
QUESTION = "Bạn đã nhập các thông tin sau trước khi đăng nhập — áp dụng vào hồ sơ?"
HOSTILE = {"applicant_name": "Kẻ Mạo Danh", "applicant_address": "Số 1 Đường Giả, Hà Nội"}


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()  # the stash and the per-address allowance live in the cache


@pytest.fixture
def draft(hung: Any, birth_version: Any) -> Dossier:
    procedure_forms_load(document={"1.001193": FORM})
    birth_version.refresh_from_db()
    dossier = services.dossier_start(applicant=hung, version=birth_version, unit_code="24121")
    services.dossier_save_form(
        dossier=dossier,
        actor=hung,
        data={"applicant_name": "Nguyễn Văn Hùng", "applicant_address": "Buôn Ma Thuột"},
        revision=None,
    )
    return dossier


def _url(draft: Dossier, page: str = "nguoi-yeu-cau") -> str:
    return f"/ho-so/{draft.pk}/to-khai/{page}/"


def _answers(draft: Dossier) -> dict[str, Any]:
    return dict(Dossier.objects.get(pk=draft.pk).form_data)


def _csrf(client: Client, url: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', client.get(url).content.decode())
    assert match
    return match.group(1)


def _log_in(client: Client, phone: str = "0912345678") -> None:
    token = _csrf(client, "/tai-khoan/dang-nhap/")
    response = client.post(
        "/tai-khoan/dang-nhap/", {"phone": phone, "password": CITIZEN_PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302, response.content.decode()[:500]


def _post_while_logged_out(client: Client, url: str, answers: dict[str, str]) -> str:
    """What an expired page posts; returns where the person is sent to log in again."""
    token = _csrf(client, "/tai-khoan/dang-nhap/")
    response = client.post(url, {**answers, "revision": "1", "csrfmiddlewaretoken": token, "continue": ""})
    assert response.status_code == 302 and response["Location"].startswith("/tai-khoan/dang-nhap/")
    return unquote(response["Location"].split("next=", 1)[1])


def test_a_link_sent_by_another_browser_writes_nothing_into_the_owners_draft(draft: Dossier) -> None:
    before = _answers(draft)
    visitor = Client()
    link = _post_while_logged_out(visitor, _url(draft), HOSTILE)
    owner = Client()
    owner.force_login(draft.applicant)

    page = owner.get(link)

    assert page.status_code == 200
    assert QUESTION not in page.content.decode() and "Kẻ Mạo Danh" not in page.content.decode()
    owner.post(_url(draft), {"stash_action": "apply"})
    assert _answers(draft) == before
    assert "khoi-phuc" not in link  # nothing in the link that could name a stash


def test_the_same_browser_sees_its_answers_after_login_and_applies_them_on_confirming(draft: Dossier) -> None:
    browser = Client(enforce_csrf_checks=True)
    link = _post_while_logged_out(browser, _url(draft), {"applicant_name": "Nguyễn Văn Hưng"})
    _log_in(browser)

    page = browser.get(link)

    html = page.content.decode()
    assert page.status_code == 200 and QUESTION in html and "Nguyễn Văn Hưng" in html
    assert _answers(draft)["applicant_name"] == "Nguyễn Văn Hùng"  # a GET applies nothing
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token
    assert browser.post(_url(draft), {"stash_action": "apply"}).status_code == 403  # no CSRF token
    assert _answers(draft)["applicant_name"] == "Nguyễn Văn Hùng"
    applied = browser.post(_url(draft), {"stash_action": "apply", "csrfmiddlewaretoken": token.group(1)})
    assert applied.status_code == 302
    assert _answers(draft)["applicant_name"] == "Nguyễn Văn Hưng"
    assert QUESTION not in browser.get(_url(draft)).content.decode()  # offered once
    assert SESSION_KEY not in browser.session


def test_declining_discards_the_kept_answers(client: Client, draft: Dossier) -> None:
    before = _answers(draft)
    _post_while_logged_out(client, _url(draft), {"applicant_name": "Tên khác"})
    _log_in(client)
    assert QUESTION in client.get(_url(draft)).content.decode()

    client.post(_url(draft), {"stash_action": "discard"})

    assert _answers(draft) == before
    client.post(_url(draft), {"stash_action": "apply"})
    assert _answers(draft) == before
    assert QUESTION not in client.get(_url(draft)).content.decode()


def test_a_stash_is_not_offered_to_another_account_logged_in_on_that_browser(client: Client, draft: Dossier) -> None:
    before = _answers(draft)
    _post_while_logged_out(client, _url(draft), HOSTILE)
    citizen(phone="0987654321", id_number="066181000202")
    _log_in(client, phone="0987654321")

    assert client.get(_url(draft)).status_code == 404
    assert client.post(_url(draft), {"stash_action": "apply"}).status_code == 404
    assert _answers(draft) == before


def test_oversized_answers_are_refused_and_nothing_is_kept(client: Client, draft: Dossier, settings: Any) -> None:
    settings.MOTCUA_POST_STASH_MAX_BYTES = 64 * 1024
    _post_while_logged_out(client, _url(draft), {"applicant_name": "x" * (64 * 1024 + 1)})

    assert SESSION_KEY not in client.session
    login_page = client.get("/tai-khoan/dang-nhap/").content.decode()
    assert "Thông tin bạn vừa nhập lớn hơn 64 KB nên không được giữ lại." in login_page
    _log_in(client)
    assert QUESTION not in client.get(_url(draft)).content.decode()


def test_answers_just_under_the_limit_are_kept(client: Client, draft: Dossier, settings: Any) -> None:
    settings.MOTCUA_POST_STASH_MAX_BYTES = 64 * 1024
    _post_while_logged_out(client, _url(draft), {"applicant_name": "x" * (60 * 1024)})
    _log_in(client)
    assert QUESTION in client.get(_url(draft)).content.decode()


def test_stash_creation_is_rate_limited_per_client_address(draft: Dossier, settings: Any) -> None:
    settings.MOTCUA_POST_STASHES_PER_IP_PER_HOUR = 2
    for _ in range(2):
        kept = Client(REMOTE_ADDR="203.0.113.7")
        _post_while_logged_out(kept, _url(draft), HOSTILE)
        assert SESSION_KEY in kept.session

    refused = Client(REMOTE_ADDR="203.0.113.7")
    _post_while_logged_out(refused, _url(draft), HOSTILE)
    elsewhere = Client(REMOTE_ADDR="198.51.100.9")
    _post_while_logged_out(elsewhere, _url(draft), HOSTILE)

    assert SESSION_KEY not in refused.session
    assert "gửi quá nhiều thông tin khi chưa đăng nhập" in refused.get("/tai-khoan/dang-nhap/").content.decode()
    assert SESSION_KEY in elsewhere.session


def test_a_session_keeps_few_stashes_for_a_short_time(client: Client, draft: Dossier, settings: Any) -> None:
    settings.MOTCUA_POST_STASHES_PER_SESSION = 1
    settings.MOTCUA_POST_STASH_SECONDS = 15 * 60
    with time_machine.travel(datetime.datetime(2026, 12, 7, 1, 0, tzinfo=datetime.UTC), tick=False) as clock:
        _post_while_logged_out(client, _url(draft), {"applicant_name": "Trang một"})
        _post_while_logged_out(client, _url(draft, "tre-em"), {"child_full_name": "Trang hai"})
        assert list(client.session[SESSION_KEY]) == [_url(draft, "tre-em")]  # the older one is dropped
        _log_in(client)
        assert QUESTION not in client.get(_url(draft)).content.decode()
        assert QUESTION in client.get(_url(draft, "tre-em")).content.decode()

        clock.shift(datetime.timedelta(minutes=16))

        assert QUESTION not in client.get(_url(draft, "tre-em")).content.decode()
        assert SESSION_KEY not in client.session


def test_an_autosave_after_the_session_expired_keeps_nothing(client: Client, draft: Dossier) -> None:
    response = client.post(_url(draft), {"applicant_name": "gõ dở"}, HTTP_X_MOTCUA_AUTOSAVE="1")
    assert response.status_code == 401 and response.json()["code"] == "login_required"
    assert SESSION_KEY not in client.session
