"""Single sign-on through the national identity (VNeID) over OIDC, against a local OIDC provider.

The tests start oidc-provider-mock in a thread, register our client with it (dynamic client
registration: only our callback URL is accepted), give it users with claims, and go through the
whole authorization-code + PKCE flow: our login page → POST to the login URL → the provider's
authorize endpoint → our callback, which redeems the code with the PKCE verifier.
"""

import datetime
import logging
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from motcua.accounts.models import CitizenProfile, ExternalIdentity, User
from motcua.accounts.testing import CALLBACK_PATH, CLAIMS, ID_NUMBER, Provider, provider_settings, register_client
from motcua.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider(oidc_server: str, settings) -> Provider:
    """Our client, registered with the provider for the test client's callback URL, and configured."""
    registered = register_client(oidc_server, f"http://testserver{CALLBACK_PATH}")
    settings.SOCIALACCOUNT_PROVIDERS = provider_settings(registered)
    settings.MOTCUA_OIDC_ISSUER = registered.issuer
    return registered


def _sso_login(client: Client, provider: Provider, sub: str, *, next_url: str = "") -> Any:
    """Press "Đăng nhập bằng VNeID", authorize `sub` at the provider, come back; the last response."""
    page = client.get(reverse("accounts:login"))
    assert "Đăng nhập bằng VNeID" in page.content.decode()
    login_url = reverse("openid_connect_login", kwargs={"provider_id": "vneid"})
    assert f'action="{login_url}"' in page.content.decode()

    data = {"process": "login", **({"next": next_url} if next_url else {})}
    start = client.post(login_url, data)
    assert start.status_code == 302
    authorize_url = start["Location"]
    assert authorize_url.startswith(f"{provider.issuer}/oauth2/authorize?")
    query = parse_qs(urlsplit(authorize_url).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["redirect_uri"] == [f"http://testserver{CALLBACK_PATH}"]

    authorized = httpx.post(authorize_url, data={"sub": sub}, timeout=5)
    assert authorized.status_code == 302, authorized.text
    callback = urlsplit(authorized.headers["location"])
    assert callback.path == CALLBACK_PATH
    return client.get(f"{callback.path}?{callback.query}")


def test_first_login_creates_a_citizen_keyed_by_issuer_and_subject(client: Client, provider: Provider) -> None:
    """A first VNeID login creates the citizen from the claims, keyed by (issuer, sub), and logs in."""
    provider.put_user("vneid-sub-001", CLAIMS)
    response = _sso_login(client, provider, "vneid-sub-001")
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")

    identity = ExternalIdentity.objects.get()
    assert (identity.issuer, identity.subject) == (provider.issuer, "vneid-sub-001")
    assert identity.last_login_at is not None
    profile = CitizenProfile.objects.get(user=identity.user)
    assert profile.id_number == ID_NUMBER
    assert profile.full_name == "Y Moan Niê"
    assert profile.birth_date == datetime.date(1990, 3, 12)
    assert profile.phone == "0912345678"
    assert profile.email == "ymoan@example.vn"
    assert identity.user.is_active and not identity.user.has_usable_password()
    assert client.session["_auth_user_id"] == str(identity.user.pk)
    assert AuditEvent.objects.filter(action="accounts.sso_signup", actor=identity.user).exists()


def test_second_login_reuses_the_identity(client: Client, provider: Provider) -> None:
    """Logging in again with the same subject finds the same identity and user; nothing new is made."""
    provider.put_user("vneid-sub-002", CLAIMS)
    _sso_login(client, provider, "vneid-sub-002")
    first = ExternalIdentity.objects.get()
    client.post(reverse("accounts:logout"))
    assert "_auth_user_id" not in client.session

    response = _sso_login(client, provider, "vneid-sub-002", next_url="/thu-tuc/")
    assert response["Location"] == "/thu-tuc/"
    assert ExternalIdentity.objects.count() == 1
    assert User.objects.count() == 1
    assert client.session["_auth_user_id"] == str(first.user_id)
    assert AuditEvent.objects.filter(action="accounts.sso_login").count() == 1


def test_login_links_to_the_citizen_with_that_id_number(client: Client, provider: Provider) -> None:
    """A local account with the same ID number and the same verified phone is linked, not duplicated;
    the ID number may come in the "cccd" claim."""
    local = User.objects.create_user(username="cd-local", password="Mat-khau-rieng-1")
    CitizenProfile.objects.create(
        user=local, full_name="Y Moan Niê", id_number=ID_NUMBER, phone="0912345678", phone_verified_at=timezone.now()
    )
    claims = {**CLAIMS, "cccd": ID_NUMBER}
    del claims["citizen_id"]
    provider.put_user("vneid-sub-003", claims)

    _sso_login(client, provider, "vneid-sub-003")
    identity = ExternalIdentity.objects.get(issuer=provider.issuer, subject="vneid-sub-003")
    assert identity.user == local
    assert User.objects.count() == 1
    assert client.session["_auth_user_id"] == str(local.pk)
    assert AuditEvent.objects.filter(action="accounts.sso_link").exists()


def test_a_self_declared_id_number_does_not_capture_the_identity(client: Client, provider: Provider) -> None:
    """Someone who typed another person's ID number into their profile does not receive that
    person's VNeID login: the person gets their own account and the number moves to it."""
    squatter = User.objects.create_user(username="cd-squatter", password="Mat-khau-rieng-2")
    CitizenProfile.objects.create(
        user=squatter,
        full_name="Kẻ mạo danh",
        id_number=ID_NUMBER,
        phone="0333000111",
        phone_verified_at=timezone.now(),
    )
    provider.put_user("vneid-sub-004", CLAIMS)
    _sso_login(client, provider, "vneid-sub-004")
    identity = ExternalIdentity.objects.get(subject="vneid-sub-004")
    assert identity.user != squatter
    assert CitizenProfile.objects.get(user=identity.user).id_number == ID_NUMBER
    assert CitizenProfile.objects.get(user=squatter).id_number is None


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({**CLAIMS, "citizen_id": "066090123"}, "không hợp lệ"),
        ({**CLAIMS, "citizen_id": "999090123456"}, "Mã tỉnh nơi đăng ký khai sinh"),
        ({**CLAIMS, "birthdate": "1985-03-12"}, "không khớp với ngày sinh"),
        ({key: value for key, value in CLAIMS.items() if key != "citizen_id"}, "không cung cấp số định danh"),
    ],
    ids=["too-short", "unknown-province", "birth-year-mismatch", "missing"],
)
def test_an_invalid_id_number_claim_is_refused(
    client: Client, provider: Provider, claims: dict[str, Any], message: str
) -> None:
    """A login whose ID number claim is missing or invalid ends on a clear Vietnamese error page:
    no account, no identity, no session."""
    provider.put_user("vneid-sub-bad", claims)
    response = _sso_login(client, provider, "vneid-sub-bad")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Không đăng nhập được bằng VNeID" in html
    assert message in html
    assert not ExternalIdentity.objects.exists()
    assert not User.objects.exists()
    assert "_auth_user_id" not in client.session


def test_cancelling_at_the_provider_shows_our_page(client: Client, provider: Provider) -> None:
    """Pressing "Deny" at the provider comes back to a Vietnamese page, not allauth's English one.
    (The mock drops `state` from its denial, so this is also the "expired login" path.)"""
    start = client.post(reverse("openid_connect_login", kwargs={"provider_id": "vneid"}), {"process": "login"})
    denied = httpx.post(start["Location"], data={"action": "deny"}, timeout=5)
    callback = urlsplit(denied.headers["location"])
    response = client.get(f"{callback.path}?{callback.query}")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Không đăng nhập được bằng VNeID" in html
    assert "Vui lòng thử lại" in html
    assert "Third-Party" not in html and "Login Failure" not in html
    assert not ExternalIdentity.objects.exists()
    assert "_auth_user_id" not in client.session


def test_login_start_is_a_csrf_checked_post(provider: Provider) -> None:
    """A GET never starts a login (it shows our login page); a POST without CSRF token is refused."""
    login_url = reverse("openid_connect_login", kwargs={"provider_id": "vneid"})
    client = Client(enforce_csrf_checks=True)
    response = client.get(login_url)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert client.post(login_url, {"process": "login"}).status_code == 403


def test_the_button_is_shown_only_when_configured(client: Client, settings) -> None:
    """Without MOTCUA_OIDC_ISSUER there is no VNeID button and the SSO URLs answer 404."""
    settings.SOCIALACCOUNT_PROVIDERS = {}
    assert "Đăng nhập bằng VNeID" not in client.get(reverse("accounts:login")).content.decode()
    login_url = reverse("openid_connect_login", kwargs={"provider_id": "vneid"})
    assert client.post(login_url, {"process": "login"}).status_code == 404


def test_sso_logs_no_personal_data(client: Client, provider: Provider, caplog) -> None:
    """Neither a successful nor a refused login writes claims (ID number, name, phone) to our logs."""
    caplog.set_level(logging.DEBUG)
    provider.put_user("vneid-sub-005", CLAIMS)
    provider.put_user("vneid-sub-006", {**CLAIMS, "citizen_id": "066090999"})
    _sso_login(client, provider, "vneid-sub-005")
    client.post(reverse("accounts:logout"))
    _sso_login(client, provider, "vneid-sub-006")
    ours = [r.getMessage() for r in caplog.records if r.name.split(".")[0] in {"motcua", "django", "allauth"}]
    logged = "\n".join(ours)
    assert "sso login" in logged, "the flow did log, just nothing personal"
    for personal in (ID_NUMBER, "066090999", "Y Moan Niê", "0912345678", "912345678", "ymoan@example.vn"):
        assert personal not in logged


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_logs_in_with_vneid(page: Page, live_server, oidc_server: str, settings) -> None:
    """In a real browser (our strict CSP included) the VNeID button leads to the provider and back."""
    registered = register_client(oidc_server, f"{live_server.url}{CALLBACK_PATH}")
    settings.SOCIALACCOUNT_PROVIDERS = provider_settings(registered)
    registered.put_user("vneid-sub-browser", CLAIMS)

    page.goto(f"{live_server.url}{reverse('accounts:login')}")
    page.get_by_role("button", name="Đăng nhập bằng VNeID").click()
    page.get_by_placeholder("sub").fill("vneid-sub-browser")
    page.get_by_role("button", name="Authorize").click()
    expect(page.get_by_text("Bạn đã đăng nhập bằng VNeID.")).to_be_visible()
    assert urlsplit(page.url).path == reverse("portal:home")
    identity = ExternalIdentity.objects.get(subject="vneid-sub-browser")
    assert CitizenProfile.objects.get(user=identity.user).id_number == ID_NUMBER
