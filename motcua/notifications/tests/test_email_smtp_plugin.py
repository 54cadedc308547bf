"""The "smtp" e-mail plugin hands messages to a real SMTP server, with a fixed Message-ID.

Requirement (issue 6, "Notifications"): e-mail through real SMTP (tests run an SMTP server on
loopback); a server that defers is retried, one that refuses the address gives up at once.
"""

import pytest

from motcua.notifications.mail import EmailDeliveryError, email_senders


def _send(**overrides):
    values = {
        "to": "hung@example.vn",
        "subject": "Hồ sơ đã có kết quả",
        "body": "Nội dung thư",
        "message_id": "<mc-1@dichvucong.local>",
    }
    return email_senders.get().send(**{**values, **overrides})


def test_a_real_smtp_server_receives_the_message(smtp_server):
    assert _send() == "<mc-1@dichvucong.local>"
    [mail] = smtp_server.received
    assert mail.rcpt_tos == ["hung@example.vn"]
    assert mail.subject == "Hồ sơ đã có kết quả" and mail.text.strip() == "Nội dung thư"
    assert mail.message_id == "<mc-1@dichvucong.local>"


@pytest.mark.parametrize(("code", "reason", "retryable"), [(451, "deferred", True), (550, "rejected", False)])
def test_refusals(smtp_server, code, reason, retryable):
    smtp_server.fail(code)
    with pytest.raises(EmailDeliveryError) as refused:
        _send()
    assert (refused.value.reason, refused.value.retryable) == (reason, retryable)
    assert smtp_server.received == []


def test_no_server_listening(smtp_server, settings):
    smtp_server.stop()
    with pytest.raises(EmailDeliveryError) as refused:
        _send()
    assert refused.value.reason == "unavailable" and refused.value.retryable
