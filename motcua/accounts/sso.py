"""Single sign-on through the national identity (VNeID) / national public-service portal, over OIDC.

django-allauth's generic ``openid_connect`` provider speaks the protocol (authorization code with
PKCE; it sends no nonce, so identities are keyed by issuer and subject, and the code can only be
redeemed with our PKCE verifier). These adapters decide *who* logs in:

* the identity is keyed by (issuer, subject) in ``ExternalIdentity``;
* the 12-digit personal identification number comes from a claim, is validated, and links the
  identity to the citizen profile with that number, or a new citizen account is created;
* anything wrong ends on a Vietnamese error page, never on allauth's own (English) pages, and
  nothing personal (claims, ID numbers, names, phone numbers) is logged.
"""

import datetime
import logging
from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from motcua.accounts.services import SsoClaims, citizen_sso_login
from motcua.core.errors import ApplicationError
from motcua.core.validators import validate_id_number, validate_vn_phone

logger = logging.getLogger(__name__)

PROVIDER_ID = "vneid"
# Claim names other providers (or older VNeID profiles) use for the personal identification number.
ID_NUMBER_CLAIM_ALIASES = ("citizen_id", "cccd", "so_dinh_danh")
ERROR_TEMPLATE = "accounts/sso_error.html"


def sso_enabled() -> bool:
    """Whether the VNeID provider is configured (MOTCUA_OIDC_ISSUER set)."""
    providers = getattr(settings, "SOCIALACCOUNT_PROVIDERS", {}) or {}
    app = providers.get("openid_connect", {}).get("APP") or {}
    return app.get("provider_id") == PROVIDER_ID and bool(app.get("settings", {}).get("server_url"))


def sso_form_origins() -> list[str]:
    """Origins the login page's form may lead to: the issuer's, and the authorization endpoint's
    when the app settings override it (a provider whose login pages live on another host)."""
    providers = getattr(settings, "SOCIALACCOUNT_PROVIDERS", {}) or {}
    app_settings = (providers.get("openid_connect", {}).get("APP") or {}).get("settings", {})
    overrides = app_settings.get("openid_configuration_overrides", {}) or {}
    origins = []
    for url in (app_settings.get("server_url", ""), overrides.get("authorization_endpoint", "")):
        parts = urlsplit(str(url))
        if parts.scheme in {"http", "https"} and parts.netloc:
            origins.append(f"{parts.scheme}://{parts.netloc}")
    return list(dict.fromkeys(origins))


def sso_error_response(request: HttpRequest, message: str, *, status: int = 403) -> HttpResponse:
    return render(request, ERROR_TEMPLATE, {"message": message}, status=status)


class SsoRefused(Exception):
    """The provider's answer cannot log anybody in; `message` is shown to the person."""

    def __init__(self, message: str, *, code: str):
        super().__init__(code)
        self.message = message
        self.code = code


def id_number_claim_names() -> list[str]:
    configured = getattr(settings, "MOTCUA_OIDC_ID_NUMBER_CLAIM", "citizen_id") or "citizen_id"
    return list(dict.fromkeys([configured, *ID_NUMBER_CLAIM_ALIASES]))


def _parse_birthdate(value: Any) -> datetime.date | None:
    """OIDC says YYYY-MM-DD; Vietnamese systems often send DD/MM/YYYY. Anything else is ignored."""
    if not isinstance(value, str):
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.datetime.strptime(value.strip(), pattern).date()
        except ValueError:
            continue
    return None


def claims_from_provider(*, issuer: str, subject: str, data: dict[str, Any]) -> SsoClaims:
    """Validate and map the provider's claims; raises SsoRefused with a Vietnamese message."""
    if not issuer or not subject:
        raise SsoRefused(_("Nhà cung cấp định danh không trả về mã định danh người dùng."), code="no_subject")
    raw_id = next((str(data[name]).strip() for name in id_number_claim_names() if data.get(name)), "")
    if not raw_id:
        raise SsoRefused(
            _("VNeID không cung cấp số định danh cá nhân, nên không thể đăng nhập. Vui lòng thử lại sau."),
            code="id_number_missing",
        )
    birth_date = _parse_birthdate(data.get("birthdate"))
    try:
        id_number = validate_id_number(raw_id, birth_date=birth_date)
    except ValidationError as error:
        raise SsoRefused(
            _("Số định danh cá nhân nhận từ VNeID không hợp lệ (%(reason)s), nên không thể đăng nhập.")
            % {"reason": " ".join(error.messages)},
            code="id_number_invalid",
        ) from error

    phone: str | None = None
    if isinstance(data.get("phone_number"), str):
        try:
            phone = validate_vn_phone(data["phone_number"])
        except ValidationError:
            phone = None  # a number we cannot text is no use; the citizen can add one later
    email = data.get("email") if isinstance(data.get("email"), str) else ""
    try:
        validate_email(email)
    except ValidationError:
        email = ""
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        name = " ".join(str(data.get(key) or "") for key in ("family_name", "middle_name", "given_name"))
    return SsoClaims(
        issuer=issuer,
        subject=subject,
        id_number=id_number,
        full_name=name,
        birth_date=birth_date,
        phone=phone,
        phone_verified=bool(data.get("phone_number_verified")),
        email=str(email or "")[:254],
    )


class CitizenSocialAccountAdapter(DefaultSocialAccountAdapter):
    """Maps an OIDC login to our citizen accounts; allauth's own signup is never reached."""

    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        # pre_social_login always links the login to a user, so allauth never signs anyone up.
        return False

    def pre_social_login(self, request: HttpRequest, sociallogin: Any) -> None:
        extra = sociallogin.account.extra_data or {}
        id_token = extra.get("id_token") or {}
        userinfo = extra.get("userinfo") or {}
        # allauth has checked the ID token's signature, audience and `iss` against the discovery
        # document; `iss` is the issuer half of the key.
        issuer = str(id_token.get("iss") or sociallogin.provider.app.settings.get("server_url", "")).rstrip("/")
        subject = str(sociallogin.account.uid or "")
        try:
            if userinfo.get("sub") and id_token.get("sub") and userinfo["sub"] != id_token["sub"]:
                raise SsoRefused(_("Thông tin định danh trả về không nhất quán."), code="sub_mismatch")
            claims = claims_from_provider(issuer=issuer, subject=subject, data={**id_token, **userinfo})
            user = citizen_sso_login(claims=claims)
        except SsoRefused as refusal:
            logger.warning("sso login refused code=%s", refusal.code)
            raise ImmediateHttpResponse(sso_error_response(request, refusal.message)) from refusal
        except ApplicationError as error:
            logger.warning("sso login refused code=%s", error.code)
            raise ImmediateHttpResponse(sso_error_response(request, error.message)) from error

        # allauth keeps its own SocialAccount row (provider, uid); ours is authoritative, so point
        # it at our user, and keep in it no claims beyond the key.
        sociallogin.account.extra_data = {"id_token": {"iss": issuer, "sub": subject}}
        if sociallogin.is_existing:
            sociallogin.user = user
            sociallogin.account.user = user
            sociallogin.account.save(update_fields=["user", "extra_data"])
        else:
            sociallogin.user = user
            sociallogin.save(request, connect=True)

    def on_authentication_error(
        self,
        request: HttpRequest,
        provider: Any,
        error: Any = None,
        exception: Any = None,
        extra_context: Any = None,
    ) -> None:
        # The exception text may quote the provider's answer; log its type only.
        logger.warning(
            "sso authentication error code=%s exception=%s", error, type(exception).__name__ if exception else "-"
        )
        if error == "cancelled":
            message = _("Bạn đã huỷ đăng nhập bằng VNeID.")
        else:
            message = _(
                "Không đăng nhập được bằng VNeID: phiên đăng nhập đã hết hạn hoặc nhà cung cấp định danh "
                "báo lỗi. Vui lòng thử lại."
            )
        raise ImmediateHttpResponse(sso_error_response(request, message, status=400))


class SsoOnlyAccountAdapter(DefaultAccountAdapter):
    """allauth's account side, used only to finish an SSO login: no signup, our pages, our words."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        return reverse("portal:home")

    def add_message(
        self,
        request: HttpRequest,
        level: int,
        message_template: str | None = None,
        message_context: dict[str, Any] | None = None,
        extra_tags: str = "",
        message: str | None = None,
    ) -> None:
        # allauth has no Vietnamese catalogue: replace its one message we can reach, drop the rest.
        if message_template == "account/messages/logged_in.txt":
            messages.success(request, _("Bạn đã đăng nhập bằng VNeID."))

    def respond_user_inactive(self, request: HttpRequest, user: Any) -> HttpResponse:
        return sso_error_response(request, _("Tài khoản đã bị khoá. Vui lòng liên hệ bộ phận hỗ trợ."))
