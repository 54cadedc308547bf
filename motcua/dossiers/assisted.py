"""Submitting for a citizen at the counter or the post office, once the citizen has shown up.

An officer who types an ID number must not learn anything about that person (the form is
pre-filled from the population registry) nor bind a phone to them, unless the citizen proves
their presence or consent:

- a citizen with a profile that holds a phone reads out the one-time code sent to that phone;
- a citizen without one (unknown ID number, or a profile without a phone) shows their ID card:
  the officer ticks that they checked it and types the number again from the card, and the
  citizen reads out the code sent to the phone they give, which is bound only once confirmed.

The population registry's protocol carries no phone (docs/population-registry.md), so the
profile is the only phone on file. Codes are the account's SMS codes (motcua.accounts.otp),
bound to the ID number, with their own limits per officer and per ID number (below).
"""

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.constants import OtpPurpose
from motcua.accounts.models import CitizenProfile, OneTimeCode
from motcua.accounts.otp import otp_send, otp_verify
from motcua.catalog.models import ProcedureVersion
from motcua.core.audit import audit_record
from motcua.core.errors import ApplicationError
from motcua.core.models import AuditEvent
from motcua.core.privacy import mask_id, mask_phone
from motcua.directory.constants import Role
from motcua.directory.models import StaffRole
from motcua.dossiers.constants import Channel
from motcua.dossiers.models import Dossier

# Codes an officer may have sent in an hour (a busy counter serves far fewer citizens), and
# codes for one ID number in an hour, whoever asks: each code allows MOTCUA_OTP_MAX_ATTEMPTS tries.
CODES_PER_OFFICER_PER_HOUR = 20
CODES_PER_ID_PER_HOUR = 3
WINDOW = timedelta(hours=1)
CODE_SENT = "citizen.assisted_code_sent"


@dataclass(frozen=True)
class AssistedChallenge:
    """Where the code went (masked, to tell the citizen) and whether the ID card check is needed."""

    sent_to: str
    id_card_required: bool


def _channel_of(officer: Any) -> str:
    roles = set(StaffRole.objects.filter(user=officer).values_list("role", flat=True))
    if not roles & {Role.RECEPTION, Role.POSTAL}:
        raise ApplicationError(
            _("Chỉ cán bộ tiếp nhận hoặc nhân viên bưu điện được nộp hồ sơ thay."), code="dossier_assist_role"
        )
    return Channel.POST_OFFICE if Role.POSTAL in roles else Channel.COUNTER


def _subject(id_number: str) -> str:
    """The code's subject: a keyed digest, so the codes table keeps no list of numbers typed."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"motcua.assist:{id_number}".encode(), hashlib.sha256)
    return f"assist:{digest.hexdigest()[:32]}"


@dataclass(frozen=True)
class _Identity:
    id_number: str
    profile: CitizenProfile | None
    phone: str  # where the code goes: the profile's phone, else the one the citizen gives
    id_card_required: bool


def _identity(*, id_number: str, phone: str, id_card_checked: bool, id_card_number: str) -> _Identity:
    from motcua.core.validators import validate_id_number, validate_vn_phone

    try:
        id_number = validate_id_number(id_number)
    except ValidationError as error:
        raise ApplicationError(" ".join(error.messages), code="dossier_assist_identity") from error
    profile = CitizenProfile.objects.select_related("user").filter(id_number=id_number).first()
    if profile is not None and profile.phone:
        return _Identity(id_number=id_number, profile=profile, phone=profile.phone, id_card_required=False)
    try:
        phone = validate_vn_phone(phone)
    except ValidationError as error:
        raise ApplicationError(" ".join(error.messages), code="dossier_assist_identity") from error
    if not id_card_checked:
        raise ApplicationError(
            _(
                "Công dân chưa có số điện thoại trên hệ thống: hãy đối chiếu thẻ căn cước bản gốc "
                "và đánh dấu xác nhận đã kiểm tra."
            ),
            code="dossier_assist_id_card",
        )
    if "".join(id_card_number.split()) != id_number:
        raise ApplicationError(
            _("Số trên thẻ căn cước không khớp với số định danh đã nhập."), code="dossier_assist_id_card"
        )
    holders = CitizenProfile.objects.filter(phone=phone)
    if profile is not None:
        holders = holders.exclude(pk=profile.pk)
    if holders.exists():
        raise ApplicationError(
            _("Số điện thoại này đã gắn với một công dân khác; hãy kiểm tra lại số định danh."),
            code="dossier_assist_phone",
        )
    return _Identity(id_number=id_number, profile=profile, phone=phone, id_card_required=True)


def _check_rate(*, officer: Any, subject: str) -> None:
    since = timezone.now() - WINDOW
    if AuditEvent.objects.filter(actor=officer, action=CODE_SENT, created_at__gt=since).count() >= (
        CODES_PER_OFFICER_PER_HOUR
    ):
        raise ApplicationError(
            _("Bạn đã gửi quá %(n)d mã xác nhận trong một giờ. Vui lòng thử lại sau.")
            % {"n": CODES_PER_OFFICER_PER_HOUR},
            code="dossier_assist_rate_officer",
        )
    sent = OneTimeCode.objects.filter(purpose=OtpPurpose.ASSISTED_IDENTITY, subject=subject, created_at__gt=since)
    if sent.count() >= CODES_PER_ID_PER_HOUR:
        raise ApplicationError(
            _("Đã gửi quá %(n)d mã xác nhận cho công dân này trong một giờ. Vui lòng thử lại sau.")
            % {"n": CODES_PER_ID_PER_HOUR},
            code="dossier_assist_rate_citizen",
        )


def assisted_identity_challenge(
    *, officer: Any, version: ProcedureVersion, id_number: str, phone: str, id_card_checked: bool, id_card_number: str
) -> AssistedChallenge:
    """Send the citizen the code that lets the officer go on; shows nothing about the person."""
    _channel_of(officer)
    identity = _identity(
        id_number=id_number, phone=phone, id_card_checked=id_card_checked, id_card_number=id_card_number
    )
    subject = _subject(identity.id_number)
    with transaction.atomic():
        _check_rate(officer=officer, subject=subject)
        otp_send(purpose=OtpPurpose.ASSISTED_IDENTITY, phone=identity.phone, subject=subject)
        audit_record(
            actor=officer,
            action=CODE_SENT,
            object_type="accounts.citizenprofile",
            object_id=str(identity.profile.pk) if identity.profile else "",
            summary={
                "id_number": mask_id(identity.id_number),
                "procedure": version.procedure.code,
                "to": mask_phone(identity.phone),
            },
        )
    return AssistedChallenge(sent_to=mask_phone(identity.phone), id_card_required=identity.id_card_required)


def dossier_start_assisted(
    *,
    officer: Any,
    version: ProcedureVersion,
    id_number: str,
    full_name: str,
    phone: str,
    unit_code: str | None,
    code: str,
    id_card_checked: bool = False,
    id_card_number: str = "",
) -> Dossier:
    """With the code the citizen read out, start their dossier (registering them if new).

    Only then is the form pre-filled from the population registry. The audit trail records who
    started it for whom (masked ID number), for which procedure, and what proved the citizen's
    presence.
    """
    from motcua.dossiers.services import dossier_start

    channel = _channel_of(officer)
    identity = _identity(
        id_number=id_number, phone=phone, id_card_checked=id_card_checked, id_card_number=id_card_number
    )
    # Checked in its own transaction, so a wrong try stays counted.
    otp_verify(
        purpose=OtpPurpose.ASSISTED_IDENTITY, phone=identity.phone, subject=_subject(identity.id_number), code=code
    )
    now = timezone.now()
    with transaction.atomic():
        profile = identity.profile
        if profile is None:
            user = get_user_model().objects.create_user(username=f"cd-{uuid.uuid4().hex[:12]}", password=None)
            profile = CitizenProfile.objects.create(
                user=user,
                full_name=full_name.strip(),
                id_number=identity.id_number,
                phone=identity.phone,
                phone_verified_at=now,
            )
            audit_record(actor=officer, action="citizen.register_at_counter", obj=user)
        elif identity.id_card_required:
            # A profile without a phone (e.g. from VNeID) gets the phone its owner just confirmed.
            profile.phone, profile.phone_verified_at = identity.phone, now
            profile.save(update_fields=["phone", "phone_verified_at"])
        elif profile.phone_verified_at is None:
            profile.phone_verified_at = now
            profile.save(update_fields=["phone_verified_at"])
        dossier = dossier_start(
            applicant=profile.user, version=version, unit_code=unit_code, channel=channel, submitted_by=officer
        )
        audit_record(
            actor=officer,
            action="citizen.assisted_identity",
            obj=dossier,
            summary={
                "citizen": profile.user_id,
                "id_number": mask_id(identity.id_number),
                "procedure": version.procedure.code,
                "proof": "id_card+sms" if identity.id_card_required else "sms",
                "officer": officer.get_full_name() or officer.get_username(),
            },
        )
    return dossier
