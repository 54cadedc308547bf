"""Writes to citizen identity: local signup with an SMS code, login, profile, representations, SSO linking.

Every write runs in one transaction with its audit event. Audit summaries name the fields that
changed, never their values: names, ID numbers and phone numbers stay out of the audit chain (which
cannot be edited later) and out of the logs.
"""

import datetime
import logging
import math
import secrets
import time
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from motcua.accounts.constants import OtpPurpose
from motcua.accounts.models import CitizenProfile, ExternalIdentity, Representation, User
from motcua.accounts.otp import otp_send, otp_verify
from motcua.core.audit import audit_record
from motcua.core.errors import ApplicationError
from motcua.core.validators import validate_id_number, validate_tax_code, validate_vn_phone
from motcua.directory.models import AdministrativeUnit

logger = logging.getLogger(__name__)


# --- Small helpers ---------------------------------------------------------------------------


def clean_full_name(value: str) -> str:
    """NFC (some phone keyboards send decomposed Vietnamese) and single spaces."""
    return " ".join(unicodedata.normalize("NFC", value).split())


def _split_name(full_name: str) -> tuple[str, str]:
    """(last_name, first_name) the Vietnamese way: the given name is the last word."""
    family, _sep, given = full_name.rpartition(" ")
    return family[:150], given[:150]


def _new_username() -> str:
    # Citizens log in by phone number; the username only has to be unique and must not be
    # personal data, because it appears in audit events as the actor's label.
    return f"cd-{secrets.token_hex(8)}"


def _field_error(message: str, *, code: str, field: str) -> ApplicationError:
    """An ApplicationError that a form view shows next to `field`."""
    return ApplicationError(message, code=code, extra={"field": field})


def _signup_otp_subject(user: User) -> str:
    return f"signup:{user.pk}"


def _phone_change_otp_subject(user: User) -> str:
    return f"phone-change:{user.pk}"


# --- Rate limits (cache-backed fixed windows) --------------------------------------------------


@dataclass(frozen=True)
class RateLimit:
    """At most `limit` events per `window` seconds per key; keys are hashed so no phone number or
    address is stored in the cache in clear."""

    name: str
    limit: int
    window: int

    def _key(self, value: str) -> str:
        digest = salted_hmac("motcua.accounts.ratelimit", f"{self.name}:{value}").hexdigest()
        return f"motcua:rl:{self.name}:{digest}"

    def blocked_for(self, value: str) -> int:
        """Seconds until `value` may try again; 0 when it is not blocked."""
        state = cache.get(self._key(value))
        if not state or state["count"] < self.limit:
            return 0
        return max(1, math.ceil(state["reset_at"] - time.time()))

    def hit(self, value: str) -> None:
        key = self._key(value)
        now = time.time()
        state = cache.get(key)
        if not state or state["reset_at"] <= now:
            state = {"count": 0, "reset_at": now + self.window}
        state["count"] += 1
        cache.set(key, state, timeout=max(1, math.ceil(state["reset_at"] - now)))

    def clear(self, value: str) -> None:
        cache.delete(self._key(value))


def _limits() -> dict[str, RateLimit]:
    window = getattr(settings, "MOTCUA_LOGIN_WINDOW_SECONDS", 15 * 60)
    return {
        "login_phone": RateLimit("login-phone", getattr(settings, "MOTCUA_LOGIN_FAILURES_PER_PHONE", 5), window),
        "login_ip": RateLimit("login-ip", getattr(settings, "MOTCUA_LOGIN_FAILURES_PER_IP", 20), window),
        # Each signup sends an SMS: bound how many phone numbers one address can make us text.
        "signup_ip": RateLimit("signup-ip", getattr(settings, "MOTCUA_SIGNUPS_PER_IP_PER_HOUR", 10), 3600),
    }


def _wait_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return _("Bạn đã nhập sai quá nhiều lần. Vui lòng thử lại sau %(minutes)d phút.") % {"minutes": minutes}


# --- Local signup and phone verification -------------------------------------------------------


def citizen_signup(*, full_name: str, phone: str, password: str, client_ip: str) -> User:
    """Create an inactive citizen account and text a code to the phone; the code activates it.

    A phone number that is still waiting for its code may sign up again (new name and password,
    new code): people mistype, lose the SMS or close the page.
    """
    phone = validate_vn_phone(phone)
    full_name = clean_full_name(full_name)
    try:
        password_validation.validate_password(password)
    except ValidationError as error:
        raise _field_error(" ".join(error.messages), code="password_weak", field="password1") from error
    limit = _limits()["signup_ip"]
    if wait := limit.blocked_for(client_ip):
        raise ApplicationError(
            _("Có quá nhiều yêu cầu đăng ký từ thiết bị này. Vui lòng thử lại sau %(minutes)d phút.")
            % {"minutes": max(1, math.ceil(wait / 60))},
            code="signup_rate_limited",
        )
    last_name, first_name = _split_name(full_name)
    with transaction.atomic():
        profile = CitizenProfile.objects.select_for_update().select_related("user").filter(phone=phone).first()
        if profile is not None and (profile.user.is_active or profile.phone_verified_at is not None):
            raise _field_error(
                _("Số điện thoại này đã có tài khoản. Vui lòng đăng nhập hoặc dùng số khác."),
                code="phone_taken",
                field="phone",
            )
        if profile is None:
            user = User(username=_new_username(), is_active=False, first_name=first_name, last_name=last_name)
            user.set_password(password)
            user.save()
            profile = CitizenProfile.objects.create(user=user, full_name=full_name, phone=phone)
            action = "accounts.citizen_signup"
        else:
            user = profile.user
            user.first_name, user.last_name = first_name, last_name
            user.set_password(password)
            user.save(update_fields=["first_name", "last_name", "password"])
            profile.full_name = full_name
            profile.save(update_fields=["full_name"])
            action = "accounts.citizen_signup_repeated"
        audit_record(actor=user, action=action, obj=user, summary={"changed": ["full_name", "phone", "password"]})
        otp_send(purpose=OtpPurpose.VERIFY_PHONE, phone=phone, subject=_signup_otp_subject(user))
    limit.hit(client_ip)
    logger.info("citizen signup started user=%s", user.pk)
    return user


def citizen_signup_resend_code(*, user: User) -> None:
    """Send a new activation code (the OTP module enforces its own per-phone send limit)."""
    profile = _pending_profile(user)
    otp_send(purpose=OtpPurpose.VERIFY_PHONE, phone=profile.phone or "", subject=_signup_otp_subject(user))


def _pending_profile(user: User) -> CitizenProfile:
    profile = CitizenProfile.objects.filter(user=user).first()
    if profile is None or not profile.phone or user.is_active:
        raise ApplicationError(_("Tài khoản này không chờ xác thực số điện thoại."), code="not_pending")
    return profile


def citizen_phone_verify(*, user: User, code: str) -> User:
    """Check the activation code; on success the account becomes active and the phone verified."""
    profile = _pending_profile(user)
    # Outside our transaction: a wrong code must still count as a try when we refuse.
    otp_verify(purpose=OtpPurpose.VERIFY_PHONE, phone=profile.phone or "", subject=_signup_otp_subject(user), code=code)
    with transaction.atomic():
        user.is_active = True
        user.save(update_fields=["is_active"])
        profile.phone_verified_at = timezone.now()
        profile.save(update_fields=["phone_verified_at"])
        audit_record(actor=user, action="accounts.citizen_phone_verified", obj=user, summary={"changed": ["phone"]})
    logger.info("citizen phone verified user=%s", user.pk)
    return user


# --- Login by phone number and password --------------------------------------------------------


def citizen_authenticate(*, phone: str, password: str, client_ip: str) -> User:
    """The citizen whose verified phone and password match, within the failure limits.

    Raises ApplicationError: login_rate_limited (with the wait), login_failed, or phone_unverified
    (right password, account still waiting for its SMS code; extra["user_id"] names it).
    """
    limits = _limits()
    try:
        key_phone = validate_vn_phone(phone)
    except ValidationError:
        key_phone = "".join(ch for ch in phone if ch.isdigit())
    wait = max(limits["login_phone"].blocked_for(key_phone), limits["login_ip"].blocked_for(client_ip))
    if wait:
        raise ApplicationError(_wait_message(wait), code="login_rate_limited", extra={"retry_after": wait})

    profile = CitizenProfile.objects.select_related("user").filter(phone=key_phone).first()
    if profile is None:
        make_password(password)  # same work as a real check, so timing does not reveal the phone number
        ok = False
    else:
        ok = profile.user.check_password(password)
    if not ok or profile is None:
        limits["login_phone"].hit(key_phone)
        limits["login_ip"].hit(client_ip)
        logger.info("citizen login refused")
        raise ApplicationError(_("Số điện thoại hoặc mật khẩu không đúng."), code="login_failed")

    limits["login_phone"].clear(key_phone)
    user = profile.user
    if not user.is_active:
        if profile.phone_verified_at is None:
            raise ApplicationError(
                _("Số điện thoại chưa được xác thực. Chúng tôi sẽ gửi mã xác thực mới."),
                code="phone_unverified",
                extra={"user_id": user.pk},
            )
        raise ApplicationError(_("Tài khoản đã bị khoá. Vui lòng liên hệ bộ phận hỗ trợ."), code="account_inactive")
    return user


# --- Profile -----------------------------------------------------------------------------------


def citizen_profile_id_number_locked(*, user: User) -> bool:
    """True when the ID number came from the national identity (an SSO login) and cannot change."""
    profile = CitizenProfile.objects.filter(user=user).first()
    return bool(profile and profile.id_number and user.external_identities.exists())


def citizen_profile_update(
    *,
    user: User,
    full_name: str,
    birth_date: datetime.date | None,
    id_number: str | None,
    email: str,
    address_unit: AdministrativeUnit | None,
    address_detail: str,
) -> CitizenProfile:
    """Save what the citizen tells us about themselves (creates the profile for a staff member)."""
    full_name = clean_full_name(full_name)
    locked = citizen_profile_id_number_locked(user=user)
    with transaction.atomic():
        profile = CitizenProfile.objects.select_for_update().filter(user=user).first() or CitizenProfile(user=user)
        if locked:
            id_number = profile.id_number
        if id_number:
            try:
                id_number = validate_id_number(id_number, birth_date=birth_date)
            except ValidationError as error:
                raise _field_error(" ".join(error.messages), code="id_number_invalid", field="id_number") from error
            if CitizenProfile.objects.filter(id_number=id_number).exclude(user=user).exists():
                raise _field_error(
                    _("Số định danh cá nhân này đã gắn với một tài khoản khác."),
                    code="id_number_taken",
                    field="id_number",
                )
        new: dict[str, Any] = {
            "full_name": full_name,
            "birth_date": birth_date,
            "id_number": id_number or None,
            "email": email.strip(),
            "address_unit_id": address_unit.pk if address_unit else None,
            "address_detail": " ".join(address_detail.split()),
        }
        changed = [name.removesuffix("_id") for name, value in new.items() if getattr(profile, name) != value]
        for name, value in new.items():
            setattr(profile, name, value)
        profile.save()
        user.last_name, user.first_name = _split_name(full_name)
        user.email = email.strip()
        user.save(update_fields=["first_name", "last_name", "email"])
        audit_record(actor=user, action="accounts.citizen_profile_update", obj=user, summary={"changed": changed})
    return profile


def citizen_phone_change_request(*, user: User, new_phone: str) -> str:
    """Text a code to the new number; returns the number, normalised, for the confirm step."""
    new_phone = validate_vn_phone(new_phone)
    profile = CitizenProfile.objects.filter(user=user).first()
    if profile is not None and profile.phone == new_phone:
        raise _field_error(_("Đây đã là số điện thoại của bạn."), code="phone_same", field="phone")
    if CitizenProfile.objects.filter(phone=new_phone).exclude(user=user).exists():
        raise _field_error(_("Số điện thoại này đã gắn với một tài khoản khác."), code="phone_taken", field="phone")
    otp_send(purpose=OtpPurpose.VERIFY_PHONE, phone=new_phone, subject=_phone_change_otp_subject(user))
    return new_phone


def citizen_phone_change_confirm(*, user: User, new_phone: str, code: str) -> CitizenProfile:
    """Replace the phone number once the code sent to the new number is confirmed."""
    otp_verify(purpose=OtpPurpose.VERIFY_PHONE, phone=new_phone, subject=_phone_change_otp_subject(user), code=code)
    try:
        with transaction.atomic():
            profile = CitizenProfile.objects.select_for_update().filter(user=user).first()
            if profile is None:
                profile = CitizenProfile(user=user, full_name=user.get_full_name() or user.get_username())
            profile.phone = new_phone
            profile.phone_verified_at = timezone.now()
            profile.save()
            audit_record(actor=user, action="accounts.citizen_phone_change", obj=user, summary={"changed": ["phone"]})
    except IntegrityError as error:  # another account took the number between the two steps
        raise _field_error(
            _("Số điện thoại này đã gắn với một tài khoản khác."), code="phone_taken", field="code"
        ) from error
    return profile


# --- Representations (acting for an organisation) ----------------------------------------------


def representation_add(*, user: User, tax_code: str, organisation_name: str, position: str) -> Representation:
    try:
        tax_code = validate_tax_code(tax_code)
    except ValidationError as error:
        raise _field_error(" ".join(error.messages), code="tax_code_invalid", field="tax_code") from error
    with transaction.atomic():
        if Representation.objects.filter(user=user, tax_code=tax_code).exists():
            raise _field_error(
                _("Bạn đã khai báo đại diện cho tổ chức có mã số thuế này."),
                code="representation_exists",
                field="tax_code",
            )
        representation = Representation.objects.create(
            user=user,
            tax_code=tax_code,
            organisation_name=" ".join(organisation_name.split()),
            position=" ".join(position.split()),
        )
        audit_record(
            actor=user,
            action="accounts.representation_add",
            obj=representation,
            summary={"tax_code": tax_code},
        )
    return representation


def representation_remove(*, user: User, representation_id: int) -> None:
    with transaction.atomic():
        representation = Representation.objects.select_for_update().filter(user=user, pk=representation_id).first()
        if representation is None:
            raise ApplicationError(_("Không tìm thấy tổ chức này trong danh sách của bạn."), code="not_found")
        audit_record(
            actor=user,
            action="accounts.representation_remove",
            obj=representation,
            summary={"tax_code": representation.tax_code},
        )
        representation.delete()


# --- Single sign-on --------------------------------------------------------------------------


@dataclass(frozen=True)
class SsoClaims:
    """What an identity provider vouches for, already validated (ID number) or parsed."""

    issuer: str
    subject: str
    id_number: str
    full_name: str = ""
    birth_date: datetime.date | None = None
    phone: str | None = None
    phone_verified: bool = False
    email: str = ""


def _profile_may_be_linked(profile: CitizenProfile, claims: SsoClaims) -> bool:
    """Whether a local profile with the same ID number is this person's.

    An ID number typed on the profile page is only a claim: anyone could have typed someone else's.
    The profile is linked when the number was already vouched for by an identity provider, or when
    its verified phone is the one the provider reports. Otherwise the provider's word wins: the
    number is released from that profile and the person gets their own account.
    """
    if profile.user.external_identities.exists():
        return True
    return bool(claims.phone and profile.phone_verified_at and profile.phone == claims.phone)


def citizen_sso_login(*, claims: SsoClaims) -> User:
    """The user for a single sign-on identity, keyed by (issuer, subject); links or creates one."""
    try:
        return _citizen_sso_login_once(claims=claims)
    except IntegrityError:
        # Two first logins of one person at the same moment: the other request has just created
        # the identity (or taken the phone number); looking again finds it.
        return _citizen_sso_login_once(claims=claims)


def _citizen_sso_login_once(*, claims: SsoClaims) -> User:
    now = timezone.now()
    with transaction.atomic():
        identity = (
            ExternalIdentity.objects.select_for_update()
            .select_related("user")
            .filter(issuer=claims.issuer, subject=claims.subject)
            .first()
        )
        if identity is not None:
            user = identity.user
            profile = CitizenProfile.objects.select_for_update().filter(user=user).first()
            if profile is not None and profile.id_number and profile.id_number != claims.id_number:
                # A person's number does not change; a provider that says otherwise is not trusted.
                raise ApplicationError(
                    _("Số định danh cá nhân từ VNeID không khớp với tài khoản đã liên kết."), code="sso_id_mismatch"
                )
            if profile is not None and not profile.id_number:
                _ensure_id_number_free(claims=claims, keep_user=user)
                profile.id_number = claims.id_number
                profile.save(update_fields=["id_number"])
            identity.last_login_at = now
            identity.save(update_fields=["last_login_at"])
            action = "accounts.sso_login"
        else:
            profile = (
                CitizenProfile.objects.select_for_update()
                .select_related("user")
                .filter(id_number=claims.id_number)
                .first()
            )
            if profile is not None and _profile_may_be_linked(profile, claims):
                user = profile.user
                action = "accounts.sso_link"
            else:
                if profile is not None:
                    _release_id_number(profile)
                user = _sso_create_citizen(claims)
                action = "accounts.sso_signup"
            identity = ExternalIdentity.objects.create(
                user=user, issuer=claims.issuer, subject=claims.subject, last_login_at=now
            )
        if not user.is_active:
            raise ApplicationError(_("Tài khoản đã bị khoá. Vui lòng liên hệ bộ phận hỗ trợ."), code="account_inactive")
        audit_record(actor=user, action=action, obj=identity, object_repr=f"identity {identity.pk}")
    logger.info("sso login identity=%s user=%s action=%s", identity.pk, user.pk, action)
    return user


def _ensure_id_number_free(*, claims: SsoClaims, keep_user: User) -> None:
    other = CitizenProfile.objects.select_related("user").filter(id_number=claims.id_number).exclude(user=keep_user)
    for profile in other:
        _release_id_number(profile)


def _release_id_number(profile: CitizenProfile) -> None:
    """Take a self-declared ID number away from a profile: the identity provider has vouched for
    another holder."""
    profile.id_number = None
    profile.save(update_fields=["id_number"])
    audit_record(
        actor="sso",
        action="accounts.id_number_released",
        obj=profile.user,
        summary={"reason": "verified by an identity provider for another account"},
    )


def _sso_create_citizen(claims: SsoClaims) -> User:
    full_name = clean_full_name(claims.full_name) or _("Công dân")
    last_name, first_name = _split_name(full_name)
    user = User(
        username=_new_username(), first_name=first_name, last_name=last_name, email=claims.email, is_active=True
    )
    user.set_unusable_password()
    user.save()
    phone = claims.phone
    if phone and CitizenProfile.objects.filter(phone=phone).exists():
        phone = None  # the number belongs to another account; the citizen can add theirs later
    CitizenProfile.objects.create(
        user=user,
        full_name=full_name,
        birth_date=claims.birth_date,
        id_number=claims.id_number,
        phone=phone,
        phone_verified_at=timezone.now() if phone and claims.phone_verified else None,
        email=claims.email,
    )
    return user


def client_ip(request: Any) -> str:
    """The address rate limits count against.

    Behind N reverse proxies (setting MOTCUA_TRUSTED_PROXIES = N) it is the N-th address from the
    right of X-Forwarded-For, the one our own proxy saw; entries further left are client-supplied
    and not trusted.
    """
    proxies = settings.MOTCUA_TRUSTED_PROXIES
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return str(request.META.get("REMOTE_ADDR") or "unknown")
