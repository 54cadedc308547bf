"""One-time codes sent by SMS: phone verification at sign-up and confirmation of a submission.

Rules (docs/sms-and-otp.md):
- a code is 6 random digits, valid MOTCUA_OTP_TTL_SECONDS; only an HMAC-SHA256 of it is kept,
  keyed with SECRET_KEY and bound to purpose, phone and subject, so a code confirms exactly one
  thing ("dossier:42") for one phone;
- a new code replaces the earlier unused codes for the same purpose and subject;
- at most MOTCUA_OTP_SENDS_PER_HOUR codes per phone in any hour ("otp_rate_limited");
- MOTCUA_OTP_MAX_ATTEMPTS wrong tries lock the subject until MOTCUA_OTP_LOCK_SECONDS after the
  code was sent ("otp_locked"): no more tries and no new code until then;
- a code works once.
"""

import hashlib
import hmac
import json
import logging
import math
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import connection, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from motcua.accounts.constants import OtpPurpose
from motcua.accounts.models import OneTimeCode
from motcua.core.errors import ApplicationError
from motcua.core.phones import phone_normalize
from motcua.core.privacy import mask_phone
from motcua.notifications.sms import SmsDeliveryError, SmsGateway, sms_gateways

logger = logging.getLogger(__name__)

CODE_DIGITS = 6
_CODE_FORMAT = re.compile(rf"\d{{{CODE_DIGITS}}}")
RATE_WINDOW = timedelta(hours=1)


def _code_hash(*, purpose: str, phone: str, subject: str, code: str) -> str:
    # JSON keeps the fields apart whatever characters a subject holds.
    message = json.dumps(["motcua.otp.v1", purpose, phone, subject, code], ensure_ascii=False)
    return hmac.new(settings.SECRET_KEY.encode(), message.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class OtpAllowance:
    """Codes a phone may still receive in the current hour (MOTCUA_OTP_SENDS_PER_HOUR).

    `next_at` is when one more code becomes available (the oldest counted send leaves the
    hour); None when nothing was sent in the last hour."""

    allowed: int
    left: int
    next_at: datetime | None


def _allowance(phone: str, now: datetime) -> OtpAllowance:
    recent = list(
        OneTimeCode.objects.filter(phone=phone, created_at__gt=now - RATE_WINDOW)
        .order_by("created_at")
        .values_list("created_at", flat=True)
    )
    allowed = settings.MOTCUA_OTP_SENDS_PER_HOUR
    # With the limit reached, the count falls below it when enough of the oldest sends leave.
    next_at = recent[max(0, len(recent) - allowed)] + RATE_WINDOW if recent else None
    return OtpAllowance(allowed=allowed, left=max(0, allowed - len(recent)), next_at=next_at)


def otp_allowance(*, phone: str) -> OtpAllowance:
    """How many codes `phone` can still receive this hour, so people learn of the limit before
    they fill in a dossier rather than at its last step."""
    return _allowance(_normalized_phone(phone), timezone.now())


def _minutes_until(moment: datetime, now: datetime) -> int:
    return max(1, math.ceil((moment - now).total_seconds() / 60))


def _normalized_phone(phone: str) -> str:
    try:
        return phone_normalize(phone)
    except ValueError:
        raise ApplicationError(_("Số điện thoại không hợp lệ."), code="phone_invalid") from None


def _locked_error(*, locked_until: datetime, now: datetime) -> ApplicationError:
    minutes = _minutes_until(locked_until, now)
    return ApplicationError(
        ngettext(
            "Bạn đã nhập sai mã xác nhận quá %(max)d lần. Vui lòng thử lại sau %(minutes)d phút.",
            "Bạn đã nhập sai mã xác nhận quá %(max)d lần. Vui lòng thử lại sau %(minutes)d phút.",
            minutes,
        )
        % {"max": settings.MOTCUA_OTP_MAX_ATTEMPTS, "minutes": minutes},
        code="otp_locked",
        extra={
            "locked_until": locked_until.isoformat(),
            "retry_after_seconds": math.ceil((locked_until - now).total_seconds()),
        },
    )


def _serialize_sends_to(phone: str) -> None:
    """Make concurrent sends to one phone take turns, so the hourly count cannot be overrun.

    SQLite already runs one writer at a time (transaction_mode IMMEDIATE); PostgreSQL gets a
    transaction-scoped advisory lock keyed by the phone number.
    """
    if connection.vendor == "postgresql":
        key = int.from_bytes(hashlib.sha256(f"motcua.otp:{phone}".encode()).digest()[:8], "big", signed=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _sms_text(code: str) -> str:
    minutes = max(1, settings.MOTCUA_OTP_TTL_SECONDS // 60)
    return ngettext(
        "Mã xác nhận của bạn là %(code)s. Mã có hiệu lực trong %(minutes)d phút. Không chia sẻ mã này cho người khác.",
        "Mã xác nhận của bạn là %(code)s. Mã có hiệu lực trong %(minutes)d phút. Không chia sẻ mã này cho người khác.",
        minutes,
    ) % {"code": code, "minutes": minutes}


def _deliver(*, gateway: SmsGateway, otp_id: int, phone: str, text: str) -> None:
    """Runs after commit. A failed delivery is logged; the citizen can ask for the code again."""
    try:
        message_id = gateway.send(phone=phone, text=text)
    except SmsDeliveryError as error:
        logger.warning("OTP SMS not delivered: otp=%s to=%s reason=%s", otp_id, mask_phone(phone), error.reason)
        return
    logger.info("OTP SMS handed over: otp=%s to=%s message=%s", otp_id, mask_phone(phone), message_id)


def otp_send(*, purpose: str, phone: str, subject: str) -> OneTimeCode:
    """Create a code for `subject` and text it to `phone` once the caller's transaction commits.

    May run inside the caller's transaction (e.g. the dossier moving to "awaiting
    confirmation"): if that rolls back, no code is stored and no message is sent. The SMS goes
    out synchronously after commit rather than through the task queue, so the plain code is
    never written anywhere (a task's arguments are stored).

    Refuses with "phone_invalid", "otp_locked" (the subject is locked after too many wrong
    tries) or "otp_rate_limited" (too many codes to this phone in the last hour).
    """
    if purpose not in OtpPurpose.values:
        raise ValueError(f"Unknown one-time code purpose {purpose!r}")
    phone = _normalized_phone(phone)
    # Resolve the plugin now: a misconfigured gateway must fail the request, not the commit hook.
    gateway = sms_gateways.get()
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    with transaction.atomic():
        _serialize_sends_to(phone)
        now = timezone.now()
        lock_window = timedelta(seconds=settings.MOTCUA_OTP_LOCK_SECONDS)
        locked = (
            OneTimeCode.objects.filter(
                purpose=purpose,
                subject=subject,
                attempts__gte=settings.MOTCUA_OTP_MAX_ATTEMPTS,
                created_at__gt=now - lock_window,
            )
            .order_by("-created_at")
            .first()
        )
        if locked is not None:
            logger.info("OTP send refused, subject locked: otp=%s to=%s", locked.pk, mask_phone(phone))
            raise _locked_error(locked_until=locked.created_at + lock_window, now=now)

        allowance = _allowance(phone, now)
        if not allowance.left:
            retry_at = allowance.next_at
            assert retry_at is not None
            minutes = _minutes_until(retry_at, now)
            logger.info("OTP send refused, rate limited: to=%s", mask_phone(phone))
            raise ApplicationError(
                _("Bạn đã yêu cầu quá nhiều mã xác nhận. Vui lòng thử lại sau %(minutes)d phút (từ %(time)s).")
                % {"minutes": minutes, "time": formats.time_format(timezone.localtime(retry_at), "H:i")},
                code="otp_rate_limited",
                extra={
                    "retry_at": retry_at.isoformat(),
                    "retry_after_seconds": math.ceil((retry_at - now).total_seconds()),
                },
            )

        # Earlier unused codes for the same thing stop working: only the newest code counts.
        OneTimeCode.objects.filter(purpose=purpose, subject=subject, used_at__isnull=True, expires_at__gt=now).update(
            expires_at=now
        )
        otp = OneTimeCode.objects.create(
            purpose=purpose,
            phone=phone,
            subject=subject,
            code_hash=_code_hash(purpose=purpose, phone=phone, subject=subject, code=code),
            expires_at=now + timedelta(seconds=settings.MOTCUA_OTP_TTL_SECONDS),
        )
        text = _sms_text(code)
        transaction.on_commit(partial(_deliver, gateway=gateway, otp_id=otp.pk, phone=phone, text=text), robust=True)
    logger.info("OTP created: otp=%s purpose=%s to=%s", otp.pk, purpose, mask_phone(phone))
    return otp


def otp_verify(*, purpose: str, phone: str, subject: str, code: str) -> None:
    """Check `code` against the latest code sent to `phone` for `purpose` and `subject`; use it up.

    Refuses with "otp_malformed" (not 6 digits; no try counted), "otp_missing" (none sent, or
    already used), "otp_locked", "otp_expired" or "otp_wrong" (one try counted; the message
    says how many are left; the last wrong try locks).

    Runs in its own, durable transaction, so a wrong try stays counted even though an error is
    raised: calling it inside another transaction.atomic() raises RuntimeError, because a
    rollback there would forget the wrong try and allow unlimited guessing. Verify first, then
    open the transaction that acts on the confirmed subject.
    """
    code = "".join(str(code or "").split())
    if not _CODE_FORMAT.fullmatch(code):
        raise ApplicationError(
            _("Mã xác nhận gồm %(digits)d chữ số. Vui lòng kiểm tra lại.") % {"digits": CODE_DIGITS},
            code="otp_malformed",
        )
    try:
        phone = phone_normalize(phone)
    except ValueError:
        phone = ""
    max_attempts = settings.MOTCUA_OTP_MAX_ATTEMPTS
    refusal: ApplicationError | None = None
    with transaction.atomic(durable=True):
        now = timezone.now()
        otp = (
            OneTimeCode.objects.select_for_update()
            .filter(purpose=purpose, phone=phone, subject=subject)
            .order_by("-created_at", "-id")
            .first()
        )
        if otp is None or otp.used_at is not None:
            raise ApplicationError(
                _("Không có mã xác nhận nào đang chờ, hoặc mã đã được sử dụng. Vui lòng yêu cầu gửi mã mới."),
                code="otp_missing",
            )
        if otp.attempts >= max_attempts:
            locked_until = otp.created_at + timedelta(seconds=settings.MOTCUA_OTP_LOCK_SECONDS)
            if now < locked_until:
                raise _locked_error(locked_until=locked_until, now=now)
            # The lock is over but this code stays spent: a new one must be requested.
            raise _expired_error()
        if now >= otp.expires_at:
            raise _expired_error()

        expected = _code_hash(purpose=purpose, phone=phone, subject=subject, code=code)
        if hmac.compare_digest(otp.code_hash, expected):
            otp.used_at = now
            otp.save(update_fields=["used_at"])
            logger.info("OTP verified: otp=%s to=%s", otp.pk, mask_phone(phone))
            return

        otp.attempts += 1
        otp.save(update_fields=["attempts"])
        left = max_attempts - otp.attempts
        logger.info("OTP wrong: otp=%s to=%s attempts=%d", otp.pk, mask_phone(phone), otp.attempts)
        if left <= 0:
            locked_until = otp.created_at + timedelta(seconds=settings.MOTCUA_OTP_LOCK_SECONDS)
            refusal = _locked_error(locked_until=locked_until, now=now)
        else:
            refusal = ApplicationError(
                ngettext(
                    "Mã xác nhận không đúng. Bạn còn %(left)d lần thử.",
                    "Mã xác nhận không đúng. Bạn còn %(left)d lần thử.",
                    left,
                )
                % {"left": left},
                code="otp_wrong",
                extra={"attempts_left": left},
            )
    # Raised after the commit, so the counted try is kept.
    assert refusal is not None
    raise refusal


def _expired_error() -> ApplicationError:
    return ApplicationError(
        _("Mã xác nhận đã hết hạn. Vui lòng yêu cầu gửi mã mới."),
        code="otp_expired",
    )
