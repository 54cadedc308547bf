"""A reception officer or postal staff submits for a citizen who came in person. The citizen
first proves they are there (the code sent to their phone on file, or their ID card and the code
sent to the phone they give); the dossier records the channel and the scanned papers."""

import re

import pytest

from motcua.accounts.models import CitizenProfile
from motcua.core.errors import ApplicationError
from motcua.core.models import AuditEvent
from motcua.core.testing import small_pdf
from motcua.directory.constants import Role
from motcua.directory.services import staff_ensure
from motcua.dossiers import assisted, services
from motcua.dossiers.constants import AttachmentSource, Channel, DeliveryMethod, DossierStatus
from motcua.dossiers.models import Dossier
from motcua.notifications.models import DemoSmsMessage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sms_demo")]

MAI = {"id_number": "066196000104", "full_name": "Trần Thị Mai", "phone": "0905 111 222", "unit_code": "24121"}
CARD = {"id_card_checked": True, "id_card_number": "066196000104"}


def _staff(username: str, role: str, agency: str | None):  # type: ignore[no-untyped-def]
    return staff_ensure(actor="t", username=username, full_name="Cán Bộ", password="x", roles=[(role, agency, None)])


def _last_code(phone: str) -> str:
    text = DemoSmsMessage.objects.filter(phone=phone).latest("pk").text
    return re.search(r"\d{6}", text).group(0)  # type: ignore[union-attr]


def _challenge(officer, version, **identity):  # type: ignore[no-untyped-def]
    fields = {
        key: identity[key] for key in ("id_number", "phone", "id_card_checked", "id_card_number") if key in identity
    }
    fields.setdefault("id_card_checked", False)
    fields.setdefault("id_card_number", "")
    return assisted.assisted_identity_challenge(officer=officer, version=version, **fields)


def test_counter_submission_for_a_new_citizen(birth_version, django_capture_on_commit_callbacks) -> None:
    officer = _staff("tn", Role.RECEPTION, "UBND-24121")
    with django_capture_on_commit_callbacks(execute=True):
        challenge = _challenge(officer, birth_version, **MAI, **CARD)
    assert challenge.id_card_required and challenge.sent_to == "090****222"
    dossier = assisted.dossier_start_assisted(
        officer=officer, version=birth_version, code=_last_code("0905111222"), **MAI, **CARD
    )
    assert dossier.channel == Channel.COUNTER and dossier.submitted_by == officer
    profile = dossier.applicant.citizen
    assert profile.id_number == "066196000104" and profile.phone == "0905111222"
    assert profile.phone_verified_at is not None, "the code the citizen read out verifies the phone"
    attachment = services.dossier_attach(
        dossier=dossier,
        actor=officer,
        component_id=birth_version.components.get().pk,
        name="scan.pdf",
        data=small_pdf(),
    )
    assert attachment.source == AttachmentSource.SCAN
    dossier.refresh_from_db()
    dossier = services.dossier_set_delivery(
        dossier=dossier, actor=officer, method=DeliveryMethod.COUNTER, address="", revision=dossier.revision
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_submit(dossier=dossier, actor=officer, declaration=True, revision=dossier.revision)
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_confirm(dossier=dossier, actor=officer, code=_last_code("0905111222"))
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUBMITTED and dossier.code


def test_an_existing_citizen_gets_the_code_on_the_phone_of_their_profile(
    birth_version, hung, django_capture_on_commit_callbacks
) -> None:
    """The phone the officer types is ignored: a made-up phone cannot receive the code."""
    postal = _staff("bd", Role.POSTAL, None)
    identity = {"id_number": "066094000103", "full_name": "Ai đó", "phone": "0987000111", "unit_code": "24121"}
    with django_capture_on_commit_callbacks(execute=True):
        challenge = _challenge(postal, birth_version, **identity)
    assert not challenge.id_card_required and challenge.sent_to == "091****678"
    assert not DemoSmsMessage.objects.filter(phone="0987000111").exists()
    dossier = assisted.dossier_start_assisted(
        officer=postal, version=birth_version, code=_last_code("0912345678"), **identity
    )
    assert dossier.channel == Channel.POST_OFFICE and dossier.applicant == hung, "found by ID number"


def test_no_dossier_and_no_account_without_the_code(birth_version, hung) -> None:
    """Before the fix any ID number, a made-up name and phone gave a dossier pre-filled from the
    population registry, and an unknown ID number was bound to the officer's phone."""
    officer = _staff("tn", Role.RECEPTION, "UBND-24121")
    made_up = {"id_number": "066094000103", "full_name": "X", "phone": "0987000111", "unit_code": "24121"}
    for identity in ({**MAI, **CARD}, made_up):
        with pytest.raises(ApplicationError) as refused:
            assisted.dossier_start_assisted(officer=officer, version=birth_version, code="123456", **identity)
        assert refused.value.code == "otp_missing"
    assert not Dossier.objects.exists()
    assert not CitizenProfile.objects.filter(id_number="066196000104").exists()


def test_a_new_citizen_needs_the_id_card_checked_and_the_code_of_the_phone_bound(
    birth_version, django_capture_on_commit_callbacks
) -> None:
    officer = _staff("tn", Role.RECEPTION, "UBND-24121")
    with pytest.raises(ApplicationError) as refused:
        _challenge(officer, birth_version, **MAI)
    assert refused.value.code == "dossier_assist_id_card" and "thẻ căn cước" in refused.value.message
    with pytest.raises(ApplicationError) as refused:
        _challenge(officer, birth_version, **MAI, id_card_checked=True, id_card_number="066196000105")
    assert "không khớp" in refused.value.message
    with django_capture_on_commit_callbacks(execute=True):
        _challenge(officer, birth_version, **MAI, **CARD)
    code = _last_code("0905111222")
    with pytest.raises(ApplicationError) as refused:
        # The code of one phone does not bind another.
        assisted.dossier_start_assisted(
            officer=officer, version=birth_version, code=code, **{**MAI, **CARD, "phone": "0905111333"}
        )
    assert refused.value.code == "otp_missing"
    assert not CitizenProfile.objects.filter(id_number="066196000104").exists()


def test_wrong_codes_lock_and_codes_per_id_are_limited(birth_version, hung, settings) -> None:
    settings.MOTCUA_OTP_MAX_ATTEMPTS = 3
    officer = _staff("tn", Role.RECEPTION, "UBND-24121")
    identity = {"id_number": "066094000103", "full_name": "X", "phone": "", "unit_code": "24121"}
    _challenge(officer, birth_version, **identity)
    messages = []
    for _try in range(3):
        with pytest.raises(ApplicationError) as refused:
            assisted.dossier_start_assisted(officer=officer, version=birth_version, code="000000", **identity)
        messages.append((refused.value.code, refused.value.message))
    assert messages[0] == ("otp_wrong", "Mã xác nhận không đúng. Bạn còn 2 lần thử.")
    assert messages[-1][0] == "otp_locked" and "quá 3 lần" in messages[-1][1]
    other = _staff("tn2", Role.RECEPTION, "UBND-24121")
    with pytest.raises(ApplicationError) as refused:
        _challenge(other, birth_version, **identity)
    assert refused.value.code == "otp_locked", "the lock is per citizen, not per officer"
    assert not Dossier.objects.exists()


def test_codes_are_limited_per_id_number_and_per_officer(birth_version, hung, monkeypatch) -> None:
    officer = _staff("tn", Role.RECEPTION, "UBND-24121")
    identity = {"id_number": "066094000103", "phone": ""}
    for _send in range(assisted.CODES_PER_ID_PER_HOUR):
        _challenge(officer, birth_version, **identity)
    with pytest.raises(ApplicationError) as refused:
        _challenge(_staff("tn2", Role.RECEPTION, "UBND-24121"), birth_version, **identity)
    assert refused.value.code == "dossier_assist_rate_citizen" and "công dân này" in refused.value.message
    monkeypatch.setattr(assisted, "CODES_PER_OFFICER_PER_HOUR", assisted.CODES_PER_ID_PER_HOUR)
    with pytest.raises(ApplicationError) as refused:
        _challenge(officer, birth_version, **{**MAI, **CARD})
    assert refused.value.code == "dossier_assist_rate_officer"


def test_the_audit_trail_says_who_looked_up_whom_without_the_id_number(
    birth_version, hung, django_capture_on_commit_callbacks
) -> None:
    officer = _staff("tn", Role.RECEPTION, "UBND-24121")
    identity = {"id_number": "066094000103", "full_name": "X", "phone": "", "unit_code": "24121"}
    with django_capture_on_commit_callbacks(execute=True):
        _challenge(officer, birth_version, **identity)
    dossier = assisted.dossier_start_assisted(
        officer=officer, version=birth_version, code=_last_code("0912345678"), **identity
    )
    sent, started = (
        AuditEvent.objects.get(action=action) for action in (assisted.CODE_SENT, "citizen.assisted_identity")
    )
    assert sent.actor == officer and sent.summary["procedure"] == "1.001193"
    assert started.actor == officer and started.object_id == str(dossier.pk)
    assert started.summary == {
        "citizen": hung.pk,
        "id_number": "*********103",
        "procedure": "1.001193",
        "proof": "sms",
        "officer": officer.get_full_name(),
    }
    rows = AuditEvent.objects.values_list("summary", "object_repr")
    assert "066094000103" not in str(list(rows))


def test_only_reception_or_postal_staff_may_assist(birth_version) -> None:
    specialist = _staff("cv", Role.SPECIALIST, "STP")
    with pytest.raises(ApplicationError) as refused:
        _challenge(specialist, birth_version, **MAI, **CARD)
    assert refused.value.code == "dossier_assist_role"


def test_a_mistyped_id_number_is_refused_clearly(birth_version) -> None:
    officer = _staff("tn", Role.RECEPTION, "UBND-24121")
    with pytest.raises(ApplicationError) as refused:
        _challenge(officer, birth_version, **{**MAI, "id_number": "06619600010"})
    assert "12" in refused.value.message
