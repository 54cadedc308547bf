"""The "http" Zalo plugin renews the Official Account's access token itself.

Requirement (Zalo access tokens expire after 25 hours): with an app id, secret key and a first
refresh token, the plugin gets a valid access token before sending, renews it when it expires
within five minutes or when ZNS answers -124 (then renews once and sends again at once), stores
the rotating pair, and never sends a refresh token Zalo refused. A failed renewal is a
retryable ZaloDeliveryError and a log line that names the cause and no token. Tested over real
HTTP against the ZaloSimulator's OAuth endpoint.
"""

import datetime
import logging

import pytest
import time_machine
from django.utils import timezone

from motcua.notifications.constants import NotificationChannel, OutboxStatus
from motcua.notifications.models import OutboxMessage, ZaloOaToken
from motcua.notifications.outbox import outbox_dispatch
from motcua.notifications.tasks import zalo_token_keep_fresh
from motcua.notifications.testing import ZALO_APP_ID, ZALO_SECRET_KEY
from motcua.notifications.zalo import ZaloDeliveryError, ZaloOaTokens, zalo_gateways, zalo_refresh_token_set

pytestmark = pytest.mark.django_db

DATA = {"ma_ho_so": "000.01.50.H15-261127-0001"}
ZALO_PHONE = "84912345678"


def _send(tracking_id="mc-1"):
    return zalo_gateways.get().send(
        phone="0912345678", template_id="motcua_accepted", template_data=DATA, tracking_id=tracking_id
    )


def _tokens(settings):
    return ZaloOaTokens(
        app_id=settings.MOTCUA_ZALO_APP_ID,
        secret_key=settings.MOTCUA_ZALO_SECRET_KEY,
        oauth_url=settings.MOTCUA_ZALO_OAUTH_URL,
        first_refresh_token=settings.MOTCUA_ZALO_REFRESH_TOKEN,
        timeout_seconds=5,
    )


def test_the_first_send_seeds_from_the_settings_and_renews(zalo_oauth_simulator, settings):
    first_refresh_token = settings.MOTCUA_ZALO_REFRESH_TOKEN
    before = timezone.now()

    message_id = _send()

    [message] = zalo_oauth_simulator.messages
    assert message.id == message_id and zalo_oauth_simulator.refresh_calls == 1
    row = ZaloOaToken.objects.get()
    assert row.app_id == ZALO_APP_ID
    assert row.access_token in zalo_oauth_simulator.issued_access_tokens
    assert row.refresh_token not in ("", first_refresh_token), "the rotated refresh token is stored"
    lifetime = datetime.timedelta(seconds=90000)
    assert before + lifetime <= row.access_token_expires_at <= timezone.now() + lifetime, "counted from the call"
    assert row.refreshed_at >= before and row.refresh_token_issued_at == row.refreshed_at

    _send("mc-2")
    assert zalo_oauth_simulator.refresh_calls == 1, "a valid stored token is used as it is"


def test_the_settings_refresh_token_is_used_only_while_nothing_is_stored(zalo_oauth_simulator, settings):
    _send()
    # The environment still holds the first refresh token, which Zalo retired: it must not be sent.
    ZaloOaToken.objects.update(access_token_expires_at=timezone.now())
    _send("mc-2")
    assert zalo_oauth_simulator.refresh_calls == 2 and zalo_oauth_simulator.refresh_token_reuses == 0
    assert len(zalo_oauth_simulator.messages_to(ZALO_PHONE)) == 2


def test_a_token_is_renewed_when_it_expires_within_five_minutes(zalo_oauth_simulator):
    _send()
    used = ZaloOaToken.objects.get().access_token
    expires_at = ZaloOaToken.objects.get().access_token_expires_at

    with time_machine.travel(expires_at - datetime.timedelta(minutes=6)):
        _send("mc-2")
    assert zalo_oauth_simulator.refresh_calls == 1, "six minutes left: still used"

    with time_machine.travel(expires_at - datetime.timedelta(minutes=4)):
        _send("mc-3")
    assert zalo_oauth_simulator.refresh_calls == 2, "four minutes left: renewed before sending"
    assert zalo_oauth_simulator.token_refusals == 0, "no message went out with the old token"
    assert ZaloOaToken.objects.get().access_token != used
    assert [m.tracking_id for m in zalo_oauth_simulator.messages] == ["mc-1", "mc-2", "mc-3"]


def test_a_124_answer_renews_once_and_sends_again_at_once(zalo_oauth_simulator):
    """Zalo revoked the token before the expiry we noted: the message goes in the same call."""
    _send()
    zalo_oauth_simulator.expire_access_tokens()

    message_id = _send("mc-2")

    assert zalo_oauth_simulator.token_refusals == 1
    assert zalo_oauth_simulator.refresh_calls == 2, "exactly one renewal"
    [message] = [m for m in zalo_oauth_simulator.messages if m.tracking_id == "mc-2"]
    assert message.id == message_id, "the resend arrived, once"
    assert len(zalo_oauth_simulator.messages) == 2


def test_a_second_124_is_left_to_the_outbox(zalo_oauth_simulator):
    _send()
    zalo_oauth_simulator.fail_with_error(-124)
    with pytest.raises(ZaloDeliveryError) as refused:
        _send("mc-2")
    assert (refused.value.reason, refused.value.retryable) == ("unauthorized", True)
    assert zalo_oauth_simulator.refresh_calls == 2, "one renewal per send, not a loop"


def test_after_the_lock_a_token_renewed_by_another_worker_is_used(zalo_oauth_simulator, settings):
    """Two workers got -124 for the same token: the second finds it renewed and does not renew again."""
    _send()
    rejected = ZaloOaToken.objects.get().access_token
    zalo_oauth_simulator.expire_access_tokens()
    first_worker, second_worker = _tokens(settings), _tokens(settings)

    renewed = first_worker.renew(rejected=rejected)
    assert second_worker.renew(rejected=rejected) == renewed
    assert zalo_oauth_simulator.refresh_calls == 2


def _assert_no_secret_in(text, settings):
    row = ZaloOaToken.objects.first()
    secrets = [settings.MOTCUA_ZALO_REFRESH_TOKEN, ZALO_SECRET_KEY]
    if row is not None:
        secrets += [value for value in (row.access_token, row.refresh_token) if value]
    for secret in secrets:
        assert secret not in text


def test_a_rejected_refresh_token_is_retryable_logged_and_not_sent_again(zalo_oauth_simulator, settings, caplog):
    caplog.set_level(logging.DEBUG)
    zalo_oauth_simulator.revoke_refresh_tokens()

    with pytest.raises(ZaloDeliveryError) as refused:
        _send()

    assert (refused.value.reason, refused.value.retryable) == ("token_refresh_rejected", True)
    assert refused.value.detail == "-14014 Invalid refresh token"
    [line] = [r.getMessage() for r in caplog.records if "rejected the refresh token" in r.getMessage()]
    assert "error=-14014" in line and "administrator must enter a new refresh token" in line
    _assert_no_secret_in(caplog.text, settings)
    row = ZaloOaToken.objects.get()
    assert row.refresh_rejected_at is not None and row.last_error.startswith("token_refresh_rejected")

    caplog.clear()
    with pytest.raises(ZaloDeliveryError) as again:
        _send()
    assert (again.value.reason, again.value.detail, again.value.retryable) == (
        "token_refresh_rejected",
        "-14014 Invalid refresh token",
        True,
    )
    assert zalo_oauth_simulator.refresh_calls == 1, "a refused refresh token is not sent again"
    assert "administrator must enter a new refresh token" in caplog.text
    _assert_no_secret_in(caplog.text, settings)
    assert zalo_oauth_simulator.messages == []


@pytest.mark.parametrize(
    ("break_oauth", "reason", "logged"),
    [
        (lambda sim, settings: sim.fail_oauth(503), "token_refresh_unavailable", "Zalo OAuth answered unexpectedly"),
        (
            lambda sim, settings: setattr(settings, "MOTCUA_ZALO_OAUTH_URL", "http://127.0.0.1:9/v4/oa/access_token"),
            "token_refresh_unreachable",
            "Zalo OAuth unreachable",
        ),
    ],
    ids=["answers 503", "unreachable"],
)
def test_a_network_failure_keeps_the_refresh_token(zalo_oauth_simulator, settings, caplog, break_oauth, reason, logged):
    caplog.set_level(logging.DEBUG)
    oauth_url = settings.MOTCUA_ZALO_OAUTH_URL
    break_oauth(zalo_oauth_simulator, settings)

    with pytest.raises(ZaloDeliveryError) as refused:
        _send()

    assert (refused.value.reason, refused.value.retryable) == (reason, True)
    assert logged in caplog.text and "administrator" not in caplog.text, "not the same event as a rejection"
    _assert_no_secret_in(caplog.text, settings)
    assert ZaloOaToken.objects.get().refresh_rejected_at is None

    zalo_oauth_simulator.recover()
    settings.MOTCUA_ZALO_OAUTH_URL = oauth_url
    _send()
    assert len(zalo_oauth_simulator.messages) == 1 and ZaloOaToken.objects.get().last_error == ""


def test_no_refresh_token_at_all_waits_for_an_administrator(zalo_oauth_simulator, settings, caplog):
    settings.MOTCUA_ZALO_REFRESH_TOKEN = ""
    with pytest.raises(ZaloDeliveryError) as refused:
        _send()
    assert (refused.value.reason, refused.value.retryable) == ("no_refresh_token", True)
    assert "no refresh token is stored" in caplog.text and zalo_oauth_simulator.refresh_calls == 0


def test_the_outbox_retries_until_an_administrator_enters_a_new_refresh_token(
    zalo_oauth_simulator, hung, birth_version, admin_user, settings
):
    """End to end: the message waits ("failed", retried later), the administrator pastes a new
    refresh token (audited), and the next pass renews the access token and sends."""
    from motcua.core.models import AuditEvent
    from motcua.dossiers.testing import submitted_dossier

    settings.MOTCUA_NOTIFICATION_CHANNELS = [NotificationChannel.ZALO]
    zalo_oauth_simulator.revoke_refresh_tokens()
    dossier = submitted_dossier(hung, birth_version)
    assert outbox_dispatch().retrying == 1
    message = OutboxMessage.objects.get(dossier=dossier)
    assert message.status == OutboxStatus.FAILED
    assert message.last_error == "token_refresh_rejected: -14014 Invalid refresh token"

    zalo_refresh_token_set(
        actor=admin_user, app_id=ZALO_APP_ID, refresh_token=zalo_oauth_simulator.issue_refresh_token()
    )
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert outbox_dispatch().sent == 1

    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT and message.attempts == 2
    assert len(zalo_oauth_simulator.messages_to(ZALO_PHONE)) == 1
    event = AuditEvent.objects.get(action="zalo_oa_token.refresh_token_set")
    assert event.summary == {"app_id": ZALO_APP_ID, "replaced_rejected": True}


def test_the_periodic_check_keeps_the_refresh_token_rotating_without_messages(zalo_oauth_simulator, settings):
    """Weeks without a Zalo message must not let the three-month refresh token expire: the
    workers' periodic check renews the access token once it is due, rotating the pair."""
    assert settings.MOTCUA_PERIODIC_TASKS["motcua.notifications.tasks.zalo_token_keep_fresh"] > 0
    assert zalo_token_keep_fresh.call() == {"zalo": "fresh"}
    first = ZaloOaToken.objects.get()
    assert zalo_oauth_simulator.refresh_calls == 1 and not zalo_oauth_simulator.messages
    assert zalo_token_keep_fresh.call() == {"zalo": "fresh"} and zalo_oauth_simulator.refresh_calls == 1
    with time_machine.travel(first.access_token_expires_at + datetime.timedelta(hours=1)):
        assert zalo_token_keep_fresh.call() == {"zalo": "fresh"}
    assert zalo_oauth_simulator.refresh_calls == 2
    assert ZaloOaToken.objects.get().refresh_token != first.refresh_token


def test_the_periodic_check_does_nothing_without_renewal_configured(settings):
    settings.MOTCUA_PLUGINS = {**settings.MOTCUA_PLUGINS, "zalo": "demo"}
    assert zalo_token_keep_fresh.call() == {"zalo": "not renewing"}
    assert not ZaloOaToken.objects.exists()
