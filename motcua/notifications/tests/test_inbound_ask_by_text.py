"""Anyone can text "HS <mã hồ sơ>" and get the dossier's status back through the same channel.

Requirement (issue 6, "Ask by text"): an inbound SMS or Zalo message "HS <code>", with or
without accents and in any case, is answered with the dossier's status, appointment and next
step, never personal data (the sender may not be the applicant). Garbage gets a short help
reply, rate-limited per sender; nothing crashes on garbage. Done when: an inbound "hs <code>"
SMS gets the right status back.
"""

import pytest
from django.test import Client

from motcua.dossiers.reception import dossier_accept
from motcua.dossiers.testing import officer, submitted_dossier
from motcua.notifications.constants import InboundOutcome, NotificationEvent
from motcua.notifications.models import InboundMessage, OutboxMessage
from motcua.notifications.outbox import outbox_dispatch
from motcua.notifications.services import HELP_REPLIES_PER_HOUR, inbound_code_parse
from motcua.notifications.testing import signed_post

pytestmark = pytest.mark.django_db

SMS_INBOUND = "/webhooks/sms/inbound/"
ZALO_INBOUND = "/webhooks/zalo/inbound/"
STRANGER = "0987654321"
CODE = "000.01.50.H15-261127-0001"


@pytest.mark.parametrize(
    "text",
    [
        f"HS {CODE}",
        f"hs {CODE.lower()}",
        f"Hs   {CODE}",
        f"HS{CODE}",
        f"  hs: {CODE}. ",
        f"Hồ sơ {CODE}",
        f"ho so {CODE}",
        f"HỒ SƠ {CODE.lower()}!",
    ],
)
def test_the_code_is_read_whatever_the_accents_case_and_spacing(text):
    assert inbound_code_parse(text) == CODE


@pytest.mark.parametrize("text", ["", "hello", "HS", "HS ???", "tra cuu ho so giup toi", "\x00\xff" * 50, "HS a b c"])
def test_anything_else_asks_nothing(text):
    assert inbound_code_parse(text) is None


@pytest.fixture
def accepted(hung, birth_version):
    """A received dossier whose appointment is set."""
    dossier = submitted_dossier(hung, birth_version)
    dossier_accept(dossier=dossier, officer=officer("tn"), revision=dossier.revision)
    dossier.refresh_from_db()
    return dossier


def test_an_inbound_sms_hs_code_gets_the_status_back(accepted, sms_simulator, django_capture_on_commit_callbacks):
    outbox_dispatch()
    sms_simulator.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_post(
            Client(),
            SMS_INBOUND,
            channel="sms",
            payload={"id": "in-1", "from": "+84 987 654 321", "text": f"hs {accepted.code.lower()}"},
        )
    assert response.status_code == 200 and response.json() == {"ok": True, "outcome": "status"}

    [reply] = sms_simulator.messages_to(STRANGER)
    due = accepted.due_at.astimezone().strftime("%d/%m/%Y")
    assert reply.text.startswith(f"Ho so {accepted.code}: Dang xu ly.")
    assert f"Hen tra: {due}." in reply.text and "cho ket qua theo ngay hen" in reply.text
    for personal in ("Hung", "Nguyen", "0912345678", "066094000103", "hung@example.vn"):
        assert personal not in reply.text, "nothing personal: the sender may not be the applicant"

    inbound = InboundMessage.objects.get()
    assert (inbound.outcome, inbound.dossier, inbound.sender) == (InboundOutcome.STATUS, accepted, STRANGER)
    assert inbound.reply.event == NotificationEvent.STATUS_REPLY


def test_an_inbound_zalo_message_is_answered_on_zalo(accepted, zalo_simulator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        signed_post(
            Client(),
            ZALO_INBOUND,
            channel="zalo",
            payload={"id": "z-in-1", "from": STRANGER, "text": f"Hồ sơ {accepted.code}"},
        )
    [reply] = zalo_simulator.messages_to("84987654321")
    assert reply.template_id == "motcua_status_reply"
    assert reply.template_data["ma_ho_so"] == accepted.code and reply.template_data["trang_thai"] == "Đang xử lý"


def test_an_unknown_code_is_answered_not_found(birth_version, sms_simulator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_post(
            Client(), SMS_INBOUND, channel="sms", payload={"id": "in-2", "from": STRANGER, "text": f"HS {CODE}"}
        )
    assert response.json()["outcome"] == "not_found"
    [reply] = sms_simulator.messages_to(STRANGER)
    assert reply.text.startswith(f"Khong tim thay ho so {CODE}")


@pytest.mark.parametrize("text", ["xin chao", "", "💥" * 400, 12345, None, "HS"])
def test_garbage_is_answered_with_help(birth_version, sms_simulator, django_capture_on_commit_callbacks, text):
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_post(
            Client(), SMS_INBOUND, channel="sms", payload={"id": "in-3", "from": STRANGER, "text": text}
        )
    assert response.status_code == 200 and response.json()["outcome"] == "help"
    [reply] = sms_simulator.messages_to(STRANGER)
    assert "HS <ma ho so>" in reply.text


def test_help_replies_are_rate_limited_per_sender(birth_version, sms_simulator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(HELP_REPLIES_PER_HOUR + 2):
            signed_post(
                Client(), SMS_INBOUND, channel="sms", payload={"id": f"spam-{n}", "from": STRANGER, "text": "?"}
            )
        signed_post(Client(), SMS_INBOUND, channel="sms", payload={"id": "other", "from": "0905111222", "text": "?"})
    assert len(sms_simulator.messages_to(STRANGER)) == HELP_REPLIES_PER_HOUR
    assert len(sms_simulator.messages_to("0905111222")) == 1, "another sender is not affected"
    assert InboundMessage.objects.filter(outcome=InboundOutcome.RATE_LIMITED).count() == 2, "recorded, unanswered"


def test_all_replies_are_capped_per_sender(accepted, sms_simulator, settings, django_capture_on_commit_callbacks):
    settings.MOTCUA_INBOUND_REPLIES_PER_HOUR = 2
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(4):
            signed_post(
                Client(),
                SMS_INBOUND,
                channel="sms",
                payload={"id": f"q-{n}", "from": STRANGER, "text": f"HS {accepted.code}"},
            )
    assert len(sms_simulator.messages_to(STRANGER)) == 2


def test_a_sender_that_is_not_a_phone_is_recorded_and_ignored(birth_version, sms_simulator):
    response = signed_post(
        Client(), SMS_INBOUND, channel="sms", payload={"id": "in-4", "from": "VIETTEL", "text": "HS x"}
    )
    assert response.status_code == 200 and response.json()["outcome"] == "ignored"
    assert not OutboxMessage.objects.exists()


def test_a_replayed_inbound_message_is_answered_once(accepted, sms_simulator, django_capture_on_commit_callbacks):
    outbox_dispatch()
    sms_simulator.clear()
    payload = {"id": "in-5", "from": STRANGER, "text": f"HS {accepted.code}"}
    with django_capture_on_commit_callbacks(execute=True):
        assert signed_post(Client(), SMS_INBOUND, channel="sms", payload=payload).status_code == 200
        assert signed_post(Client(), SMS_INBOUND, channel="sms", payload=payload).status_code == 409
    assert len(sms_simulator.messages_to(STRANGER)) == 1


@pytest.mark.parametrize("payload", [b"{", b'"text"', {"from": STRANGER, "text": "HS 1"}, {"id": "x", "text": "HS 1"}])
def test_malformed_calls_are_refused_visibly(birth_version, payload):
    response = signed_post(Client(), SMS_INBOUND, channel="sms", payload=payload)
    assert response.status_code == 400 and response.json()["message"]
    assert not InboundMessage.objects.exists()


def test_an_unsigned_inbound_message_is_refused(birth_version):
    response = Client().post(
        SMS_INBOUND, data={"id": "x", "from": STRANGER, "text": "HS 1"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert not InboundMessage.objects.exists()
