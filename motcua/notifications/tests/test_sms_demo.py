"""The demo SMS plugin keeps messages for the demo inbox; phone numbers stay out of logs."""

import logging

import pytest

from motcua.core.privacy import mask_phone
from motcua.notifications.models import DemoSmsMessage
from motcua.notifications.selectors import demo_sms_for_phone
from motcua.notifications.sms import DemoSmsGateway, phone_normalize, sms_gateways

PHONE = "0912345678"


def test_demo_is_the_plugin_when_nothing_is_configured(settings) -> None:
    """The embedded profile needs no SMS provider: without a setting the demo plugin is used."""
    settings.MOTCUA_PLUGINS = {}
    assert isinstance(sms_gateways.get(), DemoSmsGateway)


@pytest.mark.django_db
def test_demo_plugin_stores_the_message_and_returns_an_id(sms_demo) -> None:
    """A demo "send" stores phone and text and answers with a message id, like a provider."""
    message_id = sms_gateways.get().send(phone=PHONE, text="Mã xác nhận của bạn là 123456.")
    stored = DemoSmsMessage.objects.get()
    assert message_id == f"demo-{stored.pk}"
    assert (stored.phone, stored.text) == (PHONE, "Mã xác nhận của bạn là 123456.")
    assert PHONE not in str(stored)


@pytest.mark.django_db
def test_demo_inbox_shows_the_newest_messages_for_one_phone_only(sms_demo) -> None:
    """The demo inbox lists a phone's latest messages, newest first, and never another phone's."""
    gateway = sms_gateways.get()
    for n in range(12):
        gateway.send(phone=PHONE, text=f"tin {n}")
    gateway.send(phone="0987654321", text="của người khác")

    inbox = demo_sms_for_phone(phone=PHONE)
    assert [m.text for m in inbox] == [f"tin {n}" for n in range(11, 1, -1)]
    assert [m.text for m in demo_sms_for_phone(phone=PHONE, limit=3)] == ["tin 11", "tin 10", "tin 9"]
    assert [m.text for m in demo_sms_for_phone(phone="0987654321")] == ["của người khác"]


@pytest.mark.django_db
def test_demo_inbox_finds_messages_however_the_number_is_written(sms_demo) -> None:
    """ "+84 912 345 678" and "0912.345.678" are the same phone as "0912345678"."""
    sms_gateways.get().send(phone="+84 912 345 678", text="xin chào")
    assert [m.text for m in demo_sms_for_phone(phone="0912.345.678")] == ["xin chào"]
    assert demo_sms_for_phone(phone="") == []
    assert demo_sms_for_phone(phone="not a phone") == []


@pytest.mark.django_db
def test_demo_plugin_logs_no_phone_number(sms_demo, caplog) -> None:
    """Personal data never appears in logs: the demo plugin logs the number masked."""
    caplog.set_level(logging.DEBUG)
    sms_gateways.get().send(phone=PHONE, text="Mã xác nhận của bạn là 123456.")
    assert "091****678" in caplog.text
    assert PHONE not in caplog.text
    assert "123456" not in caplog.text


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("0912345678", "091****678"),
        ("+84912345678", "+84******678"),
        ("0912 345 678", "091****678"),
        ("12345", "*****"),
    ],
)
def test_mask_phone_keeps_only_both_ends(raw: str, masked: str) -> None:
    """Log lines show a phone as its first and last three characters only."""
    assert mask_phone(raw) == masked


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("0912345678", "0912345678"),
        ("+84912345678", "0912345678"),
        ("84912345678", "0912345678"),
        ("0912 345 678", "0912345678"),
        ("(0262) 3852-123", "02623852123"),
    ],
)
def test_phone_normalize_gives_the_national_form(raw: str, normal: str) -> None:
    """One phone has one written form, so limits per phone cannot be dodged by retyping it."""
    assert phone_normalize(raw) == normal


@pytest.mark.parametrize("raw", ["", "12345", "091234567", "+1 202 555 0100", "09123456789012", "abc"])
def test_phone_normalize_refuses_what_is_not_a_vietnamese_number(raw: str) -> None:
    """Only Vietnamese numbers (10-digit mobiles, 11-digit landlines) are accepted."""
    with pytest.raises(ValueError):
        phone_normalize(raw)
