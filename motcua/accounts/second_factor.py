"""Second factor for staff, after the password: passkeys (django-otp-webauthn), an authenticator
app (TOTP) and printed backup codes (django-otp's static tokens).

A session that passed only the password is not verified (`request.user.is_verified()` is false):
`motcua.accounts.middleware.SecondFactorMiddleware` then lets through only the second step, or
the enrolment an administrator owes. Wrong codes are throttled per device by django-otp (the
wait doubles with each failure) and every enrolment, removal, failure and reset is audited.
"""

import re
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import user_has_device, verify_token
from django_otp.models import Device, VerifyNotAllowed
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from motcua.core.audit import audit_record
from motcua.core.errors import ApplicationError
from motcua.directory.constants import Role
from motcua.directory.models import StaffRole

BACKUP_CODE_COUNT = 10
TOTP_NAME = gettext_lazy("Ứng dụng xác thực")
PASSKEY_NAME = gettext_lazy("Khóa truy cập (passkey)")
BACKUP_NAME = "backup"
ADMIN_ROLES = (Role.AGENCY_ADMIN, Role.SYSTEM_ADMIN)
_TOTP_CODE = re.compile(r"\d{6}")


# --- Reads -------------------------------------------------------------------------------------


def staff_is_administrator(*, user: Any) -> bool:
    """Who may change the system: superusers, system and agency administrators."""
    if user.is_superuser:
        return True
    return StaffRole.objects.filter(user=user, role__in=ADMIN_ROLES).exists()


def second_factor_enrolled(*, user: Any) -> bool:
    return bool(user_has_device(user))


def second_factor_enrolment_required(*, user: Any) -> bool:
    """An administrator with no device yet, where the deployment requires one (production)."""
    return (
        settings.MOTCUA_REQUIRE_ADMIN_SECOND_FACTOR
        and staff_is_administrator(user=user)
        and not second_factor_enrolled(user=user)
    )


def second_factor_devices(*, user: Any) -> list[Device]:
    """The user's confirmed passkeys and authenticator apps (backup codes are counted apart)."""
    devices: list[Device] = [*WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("created_at")]
    devices += TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id")
    return devices


def second_factor_has_passkey(*, user: Any) -> bool:
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()


def second_factor_has_app(*, user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def second_factor_backup_codes_left(*, user: Any) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def _device_label(device: Device) -> str:
    return "passkey" if isinstance(device, WebAuthnCredential) else "totp"


# --- Enrolment ---------------------------------------------------------------------------------


def second_factor_totp_pending(*, user: Any) -> TOTPDevice:
    """The authenticator app being set up: a secret shown as a QR code until a code confirms it."""
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        message = _("Bạn đã có ứng dụng xác thực. Hãy gỡ ứng dụng cũ trước khi thêm ứng dụng mới.")
        raise ApplicationError(code="totp_exists", message=message)
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    return device or TOTPDevice.objects.create(user=user, name=str(TOTP_NAME), confirmed=False)


def second_factor_totp_confirm(*, user: Any, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the pending app with a code it shows; returns it and the backup codes issued when
    this is the user's first device (else an empty list)."""
    device = second_factor_totp_pending(user=user)
    _check_allowed(user=user, device=device, method="totp_enrol")
    if verify_token(user, device.persistent_id, _clean(code)) is None:
        second_factor_failure_record(user=user, method="totp_enrol")
        raise ApplicationError(code="invalid_code", message=_("Mã không đúng. Hãy nhập mã đang hiện trong ứng dụng."))
    with transaction.atomic():
        codes = _backup_codes_replace(user=user) if _is_first(user=user, device=device) else []
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit_record(actor=user, action="second_factor.enrol", obj=user, summary={"method": "totp"})
    return device, codes


def second_factor_passkey_registered(*, user: Any, device: WebAuthnCredential) -> list[str]:
    """After django-otp-webauthn saved a new passkey: name it, audit it, and issue backup codes
    when it is the user's first device."""
    with transaction.atomic():
        device.name = str(PASSKEY_NAME)
        device.save(update_fields=["name"])
        codes = _backup_codes_replace(user=user) if _is_first(user=user, device=device) else []
        audit_record(actor=user, action="second_factor.enrol", obj=user, summary={"method": "passkey"})
    return codes


def second_factor_backup_codes_issue(*, user: Any) -> list[str]:
    """A new sheet of backup codes; the previous ones stop working."""
    if not second_factor_devices(user=user):
        raise ApplicationError(code="no_device", message=_("Hãy thêm khóa truy cập hoặc ứng dụng xác thực trước."))
    with transaction.atomic():
        codes = _backup_codes_replace(user=user)
        audit_record(actor=user, action="second_factor.backup_codes_issue", obj=user)
    return codes


def _is_first(*, user: Any, device: Device) -> bool:
    return all(other == device for other in second_factor_devices(user=user))


def _backup_codes_replace(*, user: Any) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(user=user, name=BACKUP_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


# --- Verification ------------------------------------------------------------------------------


def _clean(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


def _check_allowed(*, user: Any, device: Device, method: str) -> None:
    allowed, extra = device.verify_is_allowed()
    if allowed:
        return
    second_factor_failure_record(user=user, method=method, throttled=True)
    if extra and extra.get("reason") == VerifyNotAllowed.N_FAILED_ATTEMPTS:
        wait = max(1, int((extra["locked_until"] - timezone.now()).total_seconds()) + 1)
        raise ApplicationError(
            code="throttled",
            message=_("Bạn đã nhập sai %(count)d lần liên tiếp. Vui lòng thử lại sau %(seconds)d giây.")
            % {"count": extra["failure_count"], "seconds": wait},
        )
    raise ApplicationError(code="throttled", message=_("Tạm thời chưa thể kiểm tra mã. Vui lòng thử lại sau."))


def second_factor_failure_record(*, user: Any, method: str, throttled: bool = False) -> None:
    with transaction.atomic():
        audit_record(
            actor=user,
            action="second_factor.verify_failed",
            obj=user,
            summary={"method": method, "throttled": throttled},
        )


def second_factor_verify(*, user: Any, code: str) -> Device:
    """The device that accepts `code`: six digits go to the authenticator app, anything else to
    the backup codes (each works once). Refusals are audited and throttled per device."""
    token = _clean(code)
    if not token:
        raise ApplicationError(code="code_required", message=_("Hãy nhập mã xác thực."))
    if _TOTP_CODE.fullmatch(token):
        method, devices = "totp", list(TOTPDevice.objects.filter(user=user, confirmed=True))
    else:
        method, devices = "backup", list(StaticDevice.objects.filter(user=user, confirmed=True))
    for device in devices:
        _check_allowed(user=user, device=device, method=method)
        verified = verify_token(user, device.persistent_id, token)
        if verified is not None:
            return verified
    second_factor_failure_record(user=user, method=method)
    if method == "totp":
        message = _("Mã xác thực không đúng hoặc đã hết hạn. Hãy nhập mã đang hiện trong ứng dụng.")
    else:
        message = _("Mã dự phòng không đúng hoặc đã được dùng.")
    raise ApplicationError(code="invalid_code", message=message)


# --- Removal and reset -------------------------------------------------------------------------


def second_factor_device_remove(*, user: Any, persistent_id: str, confirmation: str) -> None:
    """Remove one of the user's passkeys or apps, once they confirm with their password or a
    current code. With the last one go the backup codes."""
    device = next((d for d in second_factor_devices(user=user) if d.persistent_id == persistent_id), None)
    if device is None:
        raise ApplicationError(code="not_found", message=_("Không tìm thấy thiết bị này."))
    if not confirmation:
        raise ApplicationError(
            code="confirmation_required",
            message=_("Hãy nhập mật khẩu hoặc một mã xác thực hiện tại."),
            extra={"field": "confirmation"},
        )
    if not user.check_password(confirmation):
        try:
            second_factor_verify(user=user, code=confirmation)
        except ApplicationError as error:
            raise ApplicationError(
                code=error.code,
                message=_("Mật khẩu hoặc mã xác thực không đúng.") if error.code == "invalid_code" else error.message,
                extra={"field": "confirmation"},
            ) from error
    with transaction.atomic():
        device.delete()
        last = not second_factor_devices(user=user)
        if last:
            StaticDevice.objects.filter(user=user).delete()
        audit_record(
            actor=user,
            action="second_factor.remove",
            obj=user,
            summary={"method": _device_label(device), "last": last},
        )


def second_factor_reset(*, user: Any, operator: str, reason: str) -> int:
    """Remove every second-factor device of `user` (a lost phone or key); returns how many.
    Run by an operator (`manage.py staff_second_factor_reset`), recorded in the audit trail."""
    with transaction.atomic():
        removed = 0
        for model in (WebAuthnCredential, TOTPDevice, StaticDevice):
            removed += model.objects.filter(user=user).delete()[1].get(model._meta.label, 0)
        summary = {"devices": removed, "reason": reason[:200]}
        audit_record(actor=operator, action="second_factor.reset", obj=user, summary=summary)
    return removed
