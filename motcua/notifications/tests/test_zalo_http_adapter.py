"""The "http" Zalo plugin speaks the ZNS protocol; tested against the local ZaloSimulator.

Requirement (issue 6, "Notifications"): Zalo ZNS template messages through a plugin with a demo
and a real adapter; the provider de-duplicates on tracking_id; failures are told apart into
"try again later" and "this message will never go".
"""

import httpx
import pytest
import respx

from motcua.notifications.zalo import DemoZaloGateway, HttpZaloGateway, ZaloDeliveryError, zalo_gateways, zalo_phone
from motcua.notifications.zalo_simulator import ZaloSimulator

DATA = {"ma_ho_so": "000.01.50.H15-261127-0001", "trang_thai": "Đã tiếp nhận"}


def _send(**overrides):
    values = {"phone": "0912345678", "template_id": "motcua_accepted", "template_data": DATA, "tracking_id": "mc-1"}
    return zalo_gateways.get().send(**{**values, **overrides})


def test_demo_is_the_default_and_sends_nothing(settings):
    settings.MOTCUA_PLUGINS = {}
    assert isinstance(zalo_gateways.get(), DemoZaloGateway)
    assert _send() == "demo-zalo-mc-1"


def test_phone_in_international_form():
    assert zalo_phone("0912345678") == "84912345678"
    assert zalo_phone("+84912345678") == "84912345678"


def test_message_reaches_zalo_with_its_template_and_tracking_id(zalo_simulator):
    message_id = _send()
    [message] = zalo_simulator.messages
    assert message_id == message.id
    assert (message.phone, message.template_id, message.template_data, message.tracking_id) == (
        "84912345678",
        "motcua_accepted",
        DATA,
        "mc-1",
    )


def test_the_same_tracking_id_is_sent_once(zalo_simulator):
    first = _send()
    assert _send() == first
    assert len(zalo_simulator.messages) == 1 and zalo_simulator.requests == 2


@pytest.mark.parametrize(
    ("setup", "reason", "retryable"),
    [
        (lambda sim: sim.fail(503), "unavailable", True),
        (lambda sim: sim.fail_with_error(-124), "unauthorized", True),
        (lambda sim: sim.fail_with_error(-32), "rejected", True),
        (lambda sim: sim.fail_with_error(-108), "rejected", False),
    ],
)
def test_refusals(zalo_simulator, setup, reason, retryable):
    setup(zalo_simulator)
    with pytest.raises(ZaloDeliveryError) as refused:
        _send()
    assert (refused.value.reason, refused.value.retryable) == (reason, retryable)
    assert refused.value.message == "Không gửi được tin Zalo."


def test_wrong_token(zalo_simulator, settings):
    settings.MOTCUA_ZALO_ACCESS_TOKEN = "wrong"
    with pytest.raises(ZaloDeliveryError) as refused:
        _send()
    assert refused.value.reason == "unauthorized" and zalo_simulator.messages == []


def test_templates_zalo_has_not_approved_are_refused():
    with ZaloSimulator(token="t", templates={"motcua_accepted": {"ma_ho_so", "trang_thai"}}) as simulator:
        gateway = HttpZaloGateway(base_url=simulator.url, access_token="t", timeout_seconds=5)
        gateway.send(phone="0912345678", template_id="motcua_accepted", template_data=DATA, tracking_id="a")
        with pytest.raises(ZaloDeliveryError) as refused:
            gateway.send(phone="0912345678", template_id="other", template_data=DATA, tracking_id="b")
        assert refused.value.retryable is False and "-1123" in refused.value.detail


def test_unreachable_and_malformed_answers():
    gateway = HttpZaloGateway(base_url="http://127.0.0.1:9", access_token="t", timeout_seconds=2)
    with pytest.raises(ZaloDeliveryError) as refused:
        gateway.send(phone="0912345678", template_id="x", template_data={}, tracking_id="c")
    assert refused.value.reason == "unreachable"

    with respx.mock:
        respx.post("http://zalo.test/message/template").mock(return_value=httpx.Response(200, text="<html>"))
        broken = HttpZaloGateway(base_url="http://zalo.test", access_token="t", timeout_seconds=2)
        with pytest.raises(ZaloDeliveryError) as refused:
            broken.send(phone="0912345678", template_id="x", template_data={}, tracking_id="d")
    assert refused.value.reason == "bad_response"
