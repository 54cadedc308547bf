"""One-time codes by SMS: one use, one subject, limited tries and sends, clear Vietnamese refusals."""

import datetime
import logging
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction

from motcua.accounts import otp as otp_module
from motcua.accounts.constants import OtpPurpose
from motcua.accounts.models import OneTimeCode
from motcua.accounts.otp import otp_send, otp_verify
from motcua.core.errors import ApplicationError
from motcua.notifications.selectors import demo_sms_for_phone
from motcua.notifications.sms import phone_normalize

pytestmark = pytest.mark.django_db

PHONE = "0912345678"
CONFIRM = OtpPurpose.CONFIRM_SUBMISSION
SUBJECT = "dossier:42"
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
T0 = datetime.datetime(2025, 3, 3, 9, 0, tzinfo=HANOI)


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def send(sms_simulator, django_capture_on_commit_callbacks):
    """Send a code through the real http adapter and the simulator; return the code it carried."""

    def _send(*, phone: str = PHONE, subject: str = SUBJECT, purpose: str = CONFIRM) -> str:
        with django_capture_on_commit_callbacks(execute=True):
            otp_send(purpose=purpose, phone=phone, subject=subject)
        code = sms_simulator.last_code_for(phone_normalize(phone))
        assert code is not None
        return code

    return _send


def _refusal(**kwargs) -> ApplicationError:
    arguments = {"purpose": CONFIRM, "phone": PHONE, "subject": SUBJECT} | kwargs
    with pytest.raises(ApplicationError) as refused:
        otp_verify(**arguments)
    return refused.value


def _other(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_the_code_from_the_sms_confirms_the_subject(send, sms_simulator) -> None:
    """The citizen receives a 6-digit code in the agreed Vietnamese text; it confirms once."""
    code = send()
    [message] = sms_simulator.messages
    assert message.to == PHONE
    assert message.text == (
        f"Mã xác nhận của bạn là {code}. Mã có hiệu lực trong 5 phút. Không chia sẻ mã này cho người khác."
    )
    otp_verify(purpose=CONFIRM, phone=PHONE, subject=SUBJECT, code=code)
    assert OneTimeCode.objects.get().used_at is not None


def test_demo_plugin_code_is_readable_in_the_demo_inbox(sms_demo, django_capture_on_commit_callbacks) -> None:
    """In the embedded demo the code is shown in the simulated SMS inbox and works."""
    with django_capture_on_commit_callbacks(execute=True):
        otp_send(purpose=OtpPurpose.VERIFY_PHONE, phone="+84 912 345 678", subject="user:7")
    [message] = demo_sms_for_phone(phone=PHONE)
    code = message.text.split("là ", 1)[1][:6]
    otp_verify(purpose=OtpPurpose.VERIFY_PHONE, phone=PHONE, subject="user:7", code=code)


def test_only_a_keyed_hash_of_the_code_is_stored(send) -> None:
    """The database holds an HMAC-SHA256 of the code, never the code itself."""
    code = send()
    stored = OneTimeCode.objects.get()
    assert code not in stored.code_hash
    assert len(stored.code_hash) == 64
    assert stored.code_hash == otp_module._code_hash(purpose=CONFIRM, phone=PHONE, subject=SUBJECT, code=code)
    assert stored.code_hash != otp_module._code_hash(purpose=CONFIRM, phone=PHONE, subject="dossier:43", code=code)


def test_codes_are_compared_in_constant_time(send, monkeypatch) -> None:
    """The check uses a constant-time comparison, so timing does not reveal the code."""
    calls = []
    original = otp_module.hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return original(a, b)

    monkeypatch.setattr(otp_module.hmac, "compare_digest", spy)
    otp_verify(purpose=CONFIRM, phone=PHONE, subject=SUBJECT, code=send())
    stored_hash = OneTimeCode.objects.get().code_hash
    assert (stored_hash, stored_hash) in calls


def test_a_wrong_code_counts_down_the_tries_left(send) -> None:
    """Each wrong code costs a try, and the message says how many are left."""
    wrong = _other(send())
    first = _refusal(code=wrong)
    assert first.code == "otp_wrong"
    assert first.message == "Mã xác nhận không đúng. Bạn còn 4 lần thử."
    assert first.extra["attempts_left"] == 4
    assert _refusal(code=wrong).message == "Mã xác nhận không đúng. Bạn còn 3 lần thử."
    assert OneTimeCode.objects.get().attempts == 2


def test_a_malformed_code_costs_no_try(send) -> None:
    """A typo that is not 6 digits is pointed out without using up a try."""
    send()
    refused = _refusal(code="12a45")
    assert refused.code == "otp_malformed"
    assert "6 chữ số" in refused.message
    assert OneTimeCode.objects.get().attempts == 0


def test_locked_after_five_wrong_tries_even_if_the_sixth_is_right(send, clock) -> None:
    """After MOTCUA_OTP_MAX_ATTEMPTS wrong codes the right one is refused too, with the minutes left."""
    code = send()
    for _ in range(4):
        assert _refusal(code=_other(code)).code == "otp_wrong"
    fifth = _refusal(code=_other(code))
    assert fifth.code == "otp_locked"
    assert fifth.message == "Bạn đã nhập sai mã xác nhận quá 5 lần. Vui lòng thử lại sau 15 phút."

    clock.shift(datetime.timedelta(minutes=2))
    sixth = _refusal(code=code)
    assert sixth.code == "otp_locked"
    assert "thử lại sau 13 phút" in sixth.message
    stored = OneTimeCode.objects.get()
    assert (stored.attempts, stored.used_at) == (5, None)


def test_a_locked_subject_gets_no_new_code_until_the_lock_ends(send, sms_simulator, clock) -> None:
    """Asking for a new code does not reset the tries: while locked, no code is sent."""
    code = send()
    for _ in range(5):
        _refusal(code=_other(code))
    clock.shift(datetime.timedelta(minutes=10))
    with pytest.raises(ApplicationError) as refused:
        otp_send(purpose=CONFIRM, phone=PHONE, subject=SUBJECT)
    assert refused.value.code == "otp_locked"
    assert "thử lại sau 5 phút" in refused.value.message
    assert len(sms_simulator.messages) == 1


def test_unlocked_after_the_lock_time(send, clock) -> None:
    """Once MOTCUA_OTP_LOCK_SECONDS have passed, a new code can be sent and it works."""
    code = send()
    for _ in range(5):
        _refusal(code=_other(code))
    clock.shift(datetime.timedelta(seconds=900))
    # The locked code itself stays spent.
    assert _refusal(code=code).code == "otp_expired"
    new_code = send()
    otp_verify(purpose=CONFIRM, phone=PHONE, subject=SUBJECT, code=new_code)


def test_an_expired_code_is_refused(send, clock) -> None:
    """A code works for MOTCUA_OTP_TTL_SECONDS (300) and not a second longer."""
    code = send()
    clock.shift(datetime.timedelta(seconds=299))
    assert _refusal(code=_other(code)).code == "otp_wrong"
    clock.shift(datetime.timedelta(seconds=1))
    expired = _refusal(code=code)
    assert expired.code == "otp_expired"
    assert expired.message == "Mã xác nhận đã hết hạn. Vui lòng yêu cầu gửi mã mới."


def test_a_code_works_just_before_it_expires(send, clock) -> None:
    """At 299 seconds the code is still good."""
    code = send()
    clock.shift(datetime.timedelta(seconds=299))
    otp_verify(purpose=CONFIRM, phone=PHONE, subject=SUBJECT, code=code)


def test_a_code_works_only_once(send) -> None:
    """A used code cannot confirm again (a replayed form, a second tab)."""
    code = send()
    otp_verify(purpose=CONFIRM, phone=PHONE, subject=SUBJECT, code=code)
    again = _refusal(code=code)
    assert again.code == "otp_missing"
    assert "yêu cầu gửi mã mới" in again.message


def test_no_code_sent_is_refused() -> None:
    """Confirming before any code was sent says so."""
    assert _refusal(code="123456").code == "otp_missing"


def test_a_code_for_one_subject_never_confirms_another(send) -> None:
    """A code is bound to its subject, purpose and phone."""
    code_42 = send(subject="dossier:42")
    code_43 = send(subject="dossier:43")
    if code_42 != code_43:
        assert _refusal(subject="dossier:43", code=code_42).code == "otp_wrong"
    assert _refusal(subject="dossier:44", code=code_42).code == "otp_missing"
    assert _refusal(purpose=OtpPurpose.VERIFY_PHONE, code=code_42).code == "otp_missing"
    assert _refusal(phone="0987654321", code=code_42).code == "otp_missing"
    otp_verify(purpose=CONFIRM, phone=PHONE, subject="dossier:42", code=code_42)
    otp_verify(purpose=CONFIRM, phone=PHONE, subject="dossier:43", code=code_43)


def test_the_same_code_for_another_subject_is_still_refused(send, monkeypatch) -> None:
    """Even when two subjects happen to get the same digits, each stored hash is bound to its subject."""
    monkeypatch.setattr(otp_module.secrets, "randbelow", lambda _n: 111111)
    send(subject="dossier:42")
    stored = OneTimeCode.objects.get()
    stored.subject = "dossier:43"  # a row moved to another subject must not verify
    stored.save()
    assert _refusal(subject="dossier:43", code="111111").code == "otp_wrong"


def test_a_new_code_replaces_the_earlier_one(send, monkeypatch) -> None:
    """Asking again invalidates the code sent before for the same purpose and subject."""
    codes = iter([111111, 222222])
    monkeypatch.setattr(otp_module.secrets, "randbelow", lambda _n: next(codes))
    assert send() == "111111"
    assert send() == "222222"
    assert _refusal(code="111111").code == "otp_wrong"
    otp_verify(purpose=CONFIRM, phone=PHONE, subject=SUBJECT, code="222222")
    first, second = OneTimeCode.objects.order_by("id")
    assert first.expires_at <= second.created_at


def test_sends_per_phone_are_limited_per_hour(send, sms_simulator, clock) -> None:
    """More than MOTCUA_OTP_SENDS_PER_HOUR codes to one phone in an hour are refused, saying when to retry."""
    for n in range(5):
        send(subject=f"dossier:{n}", phone="+84912345678" if n % 2 else PHONE)
        clock.shift(datetime.timedelta(minutes=10))
    # Now 09:50; the first code (09:00) leaves the hour window at 10:00.
    with pytest.raises(ApplicationError) as refused:
        otp_send(purpose=CONFIRM, phone="0912 345 678", subject="dossier:9")
    assert refused.value.code == "otp_rate_limited"
    assert refused.value.message == ("Bạn đã yêu cầu quá nhiều mã xác nhận. Vui lòng thử lại sau 10 phút (từ 10:00).")
    assert refused.value.extra["retry_after_seconds"] == 600
    assert len(sms_simulator.messages) == 5

    send(phone="0987654321")  # another phone is not affected

    clock.shift(datetime.timedelta(minutes=10, seconds=1))
    send(subject="dossier:9")


def test_an_invalid_phone_is_refused() -> None:
    """A number that is not Vietnamese gets a clear message, and no code."""
    with pytest.raises(ApplicationError) as refused:
        otp_send(purpose=CONFIRM, phone="12345", subject=SUBJECT)
    assert refused.value.code == "phone_invalid"
    assert OneTimeCode.objects.count() == 0


def test_nothing_is_sent_when_the_transaction_rolls_back(sms_simulator, django_capture_on_commit_callbacks) -> None:
    """The SMS goes out only after commit: a rolled-back request stores and sends nothing."""
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ZeroDivisionError),
        transaction.atomic(),
    ):
        otp_send(purpose=CONFIRM, phone=PHONE, subject=SUBJECT)
        _ = 1 / 0
    assert callbacks == []
    assert sms_simulator.messages == []
    assert OneTimeCode.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_sms_leaves_only_after_a_real_commit(sms_simulator) -> None:
    """With real transactions: nothing is sent before the commit, the message after it; a rollback sends nothing."""
    with pytest.raises(RuntimeError), transaction.atomic():
        otp_send(purpose=CONFIRM, phone=PHONE, subject="dossier:1")
        raise RuntimeError("the rest of the request failed")
    assert sms_simulator.messages == []

    with transaction.atomic():
        otp_send(purpose=CONFIRM, phone=PHONE, subject="dossier:2")
        assert sms_simulator.messages == []
    assert len(sms_simulator.messages) == 1
    code = sms_simulator.last_code_for(PHONE)
    otp_verify(purpose=CONFIRM, phone=PHONE, subject="dossier:2", code=code)


@pytest.mark.django_db(transaction=True)
def test_a_wrong_try_stays_counted_although_an_error_is_raised(sms_simulator) -> None:
    """The try is committed before the refusal is raised, so raising cannot undo the count."""
    otp_send(purpose=CONFIRM, phone=PHONE, subject=SUBJECT)
    code = sms_simulator.last_code_for(PHONE)
    assert code is not None
    assert _refusal(code=_other(code)).code == "otp_wrong"
    assert OneTimeCode.objects.get().attempts == 1


def test_verifying_inside_a_callers_transaction_is_refused(send) -> None:
    """A caller's rollback would forget the wrong try: otp_verify refuses to run nested."""
    code = send()
    with pytest.raises(RuntimeError), transaction.atomic():
        otp_verify(purpose=CONFIRM, phone=PHONE, subject=SUBJECT, code=code)


def test_a_failed_delivery_does_not_break_the_request(
    sms_simulator, django_capture_on_commit_callbacks, caplog
) -> None:
    """Provider down: the code is stored, the failure logged; the citizen can ask again later."""
    sms_simulator.fail(503)
    with django_capture_on_commit_callbacks(execute=True):
        otp_send(purpose=CONFIRM, phone=PHONE, subject=SUBJECT)
    assert OneTimeCode.objects.count() == 1
    assert "OTP SMS not delivered" in caplog.text


def test_no_phone_number_or_code_in_the_logs(
    send, sms_simulator, clock, caplog, django_capture_on_commit_callbacks
) -> None:
    """Personal data never appears in logs, whatever happens (sent, used, wrong, locked, limited, failed)."""
    caplog.set_level(logging.DEBUG)
    code = send()
    otp_verify(purpose=CONFIRM, phone=PHONE, subject=SUBJECT, code=code)
    other = send(subject="dossier:2")
    for _ in range(6):
        _refusal(subject="dossier:2", code=_other(other))
    sms_simulator.fail(503)
    for n in range(4):
        try:
            with django_capture_on_commit_callbacks(execute=True):
                otp_send(purpose=CONFIRM, phone="+84912345678", subject=f"dossier:{10 + n}")
        except ApplicationError as refused:
            assert refused.code == "otp_rate_limited"

    assert "OTP SMS not delivered" in caplog.text
    assert "rate limited" in caplog.text
    assert "091****678" in caplog.text
    for secret in (PHONE, "912345678", code, other):
        assert secret not in caplog.text
