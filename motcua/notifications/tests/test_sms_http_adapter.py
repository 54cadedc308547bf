"""The "http" SMS plugin speaks the provider's protocol; tested against the local simulator."""

import json
import logging
import subprocess
import sys
import uuid

import httpx
import pytest
import respx
from django.core.exceptions import ImproperlyConfigured

from motcua.notifications.simulator import SmsSimulator
from motcua.notifications.sms import HttpSmsGateway, SmsDeliveryError, sms_gateways
from motcua.notifications.testing import SIMULATOR_TOKEN

PHONE = "0912345678"
TEXT = "Mã xác nhận của bạn là 654321. Mã có hiệu lực trong 5 phút. Không chia sẻ mã này cho người khác."


def test_message_is_delivered_to_the_provider(sms_simulator) -> None:
    """POST /messages with the bearer token; the provider's 202 id is returned."""
    message_id = sms_gateways.get().send(phone=PHONE, text=TEXT)

    [message] = sms_simulator.messages
    assert message_id == message.id
    assert (message.to, message.text) == (PHONE, TEXT)
    uuid.UUID(message.client_ref)
    assert sms_simulator.requests == 1
    assert sms_simulator.last_code_for(PHONE) == "654321"
    assert sms_simulator.last_code_for("0987654321") is None


def test_wrong_token_is_a_delivery_error(sms_simulator, settings) -> None:
    """A refused token (401) raises SmsDeliveryError with a Vietnamese message; nothing is sent."""
    settings.MOTCUA_SMS_HTTP_TOKEN = "not-the-token"
    with pytest.raises(SmsDeliveryError) as refused:
        sms_gateways.get().send(phone=PHONE, text=TEXT)
    assert refused.value.reason == "unauthorized"
    assert refused.value.code == "sms_delivery_failed"
    assert "Không gửi được tin nhắn SMS" in refused.value.message
    assert sms_simulator.messages == []


def test_provider_down_is_a_delivery_error_without_retry(sms_simulator) -> None:
    """A 503 raises SmsDeliveryError; the adapter does not hammer a provider that is down."""
    sms_simulator.fail(503)
    with pytest.raises(SmsDeliveryError) as refused:
        sms_gateways.get().send(phone=PHONE, text=TEXT)
    assert refused.value.reason == "unavailable"
    assert sms_simulator.requests == 1

    sms_simulator.recover()
    sms_gateways.get().send(phone=PHONE, text=TEXT)
    assert len(sms_simulator.messages) == 1


def test_unreachable_provider_is_a_delivery_error(settings) -> None:
    """Nothing listening on the port: SmsDeliveryError after the retry, not a crash."""
    with SmsSimulator() as gone:
        url = gone.url
    settings.MOTCUA_PLUGINS = {"sms": "http"}
    settings.MOTCUA_SMS_HTTP_URL = url
    settings.MOTCUA_SMS_HTTP_TOKEN = "x"
    with pytest.raises(SmsDeliveryError) as refused:
        sms_gateways.get().send(phone=PHONE, text=TEXT)
    assert refused.value.reason == "unreachable"


@respx.mock
def test_one_retry_on_connection_error_with_the_same_client_ref() -> None:
    """A failed connection is tried once more, with the same client_ref so it cannot be sent twice."""
    route = respx.post("http://sms.test/messages").mock(
        side_effect=[httpx.ConnectError("refused"), httpx.Response(202, json={"id": "p-1"})]
    )
    gateway = HttpSmsGateway(base_url="http://sms.test/", token="t0k", timeout_seconds=3)

    assert gateway.send(phone=PHONE, text=TEXT) == "p-1"
    assert route.call_count == 2
    first, second = (json.loads(call.request.content) for call in route.calls)
    assert first == second == {"to": PHONE, "text": TEXT, "client_ref": first["client_ref"]}
    assert all(call.request.headers["Authorization"] == "Bearer t0k" for call in route.calls)


@respx.mock
def test_only_one_retry() -> None:
    """Two failed connections in a row give up with SmsDeliveryError."""
    route = respx.post("http://sms.test/messages").mock(side_effect=httpx.ConnectError("refused"))
    gateway = HttpSmsGateway(base_url="http://sms.test", token="t0k", timeout_seconds=3)
    with pytest.raises(SmsDeliveryError):
        gateway.send(phone=PHONE, text=TEXT)
    assert route.call_count == 2


@respx.mock
def test_read_timeout_is_not_retried() -> None:
    """The provider may have taken a message it did not answer for: no second try."""
    route = respx.post("http://sms.test/messages").mock(side_effect=httpx.ReadTimeout("slow"))
    gateway = HttpSmsGateway(base_url="http://sms.test", token="t0k", timeout_seconds=3)
    with pytest.raises(SmsDeliveryError) as refused:
        gateway.send(phone=PHONE, text=TEXT)
    assert refused.value.reason == "timeout"
    assert route.call_count == 1


@respx.mock
@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(202, json={}),
        httpx.Response(202, text="not json"),
        httpx.Response(202, json={"id": ""}),
        httpx.Response(200, json={"id": "p-1"}),
        httpx.Response(400, json={"error": "invalid_message"}),
    ],
)
def test_anything_but_202_with_an_id_is_a_delivery_error(response: httpx.Response) -> None:
    """Only "202 Accepted" with a message id counts as handed over."""
    respx.post("http://sms.test/messages").mock(return_value=response)
    gateway = HttpSmsGateway(base_url="http://sms.test", token="t0k", timeout_seconds=3)
    with pytest.raises(SmsDeliveryError):
        gateway.send(phone=PHONE, text=TEXT)


def test_timeouts_are_set(settings) -> None:
    """Every outside call has a timeout (MOTCUA_HTTP_TIMEOUT_SECONDS)."""
    settings.MOTCUA_PLUGINS = {"sms": "http"}
    settings.MOTCUA_SMS_HTTP_URL = "http://sms.test"
    settings.MOTCUA_SMS_HTTP_TOKEN = "x"
    settings.MOTCUA_HTTP_TIMEOUT_SECONDS = 7
    gateway = sms_gateways.get()
    assert isinstance(gateway, HttpSmsGateway)
    assert gateway.timeout == httpx.Timeout(7)


def test_missing_configuration_is_refused(settings) -> None:
    """The http plugin without URL or token is a configuration error, found at once."""
    settings.MOTCUA_PLUGINS = {"sms": "http"}
    settings.MOTCUA_SMS_HTTP_URL = ""
    with pytest.raises(ImproperlyConfigured):
        sms_gateways.get()


def test_adapter_logs_no_phone_number(sms_simulator, caplog) -> None:
    """Personal data never appears in logs, on success or failure; the code text neither."""
    caplog.set_level(logging.DEBUG)
    sms_gateways.get().send(phone=PHONE, text=TEXT)
    sms_simulator.fail(503)
    with pytest.raises(SmsDeliveryError):
        sms_gateways.get().send(phone=PHONE, text=TEXT)
    assert "091****678" in caplog.text
    assert PHONE not in caplog.text
    assert "654321" not in caplog.text


def test_simulator_checks_the_token_and_deduplicates_client_refs(sms_simulator) -> None:
    """The simulator answers 401 without the token and sends a repeated client_ref only once."""
    url = f"{sms_simulator.url}/messages"
    body = {"to": PHONE, "text": TEXT, "client_ref": "ref-1"}
    assert httpx.post(url, json=body).status_code == 401
    assert httpx.post(url, json=body, headers={"Authorization": "Bearer nope"}).status_code == 401
    auth = {"Authorization": f"Bearer {SIMULATOR_TOKEN}"}
    first = httpx.post(url, json=body, headers=auth)
    again = httpx.post(url, json=body, headers=auth)
    assert first.status_code == again.status_code == 202
    assert first.json()["id"] == again.json()["id"]
    assert len(sms_simulator.messages) == 1
    assert httpx.post(url, json={"to": PHONE}, headers=auth).status_code == 400
    listed = httpx.get(url, params={"to": PHONE}, headers=auth).json()["messages"]
    assert [m["id"] for m in listed] == [first.json()["id"]]


def test_simulator_runs_from_the_command_line() -> None:
    """`python -m motcua.notifications.simulator` serves the protocol and prints masked numbers."""
    process = subprocess.Popen(
        [sys.executable, "-m", "motcua.notifications.simulator", "--port", "0", "--token", "demo"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        url = banner.split(" on ", 1)[1].split()[0]
        gateway = HttpSmsGateway(base_url=url, token="demo", timeout_seconds=5)
        message_id = gateway.send(phone=PHONE, text=TEXT)
        line = process.stdout.readline()
        assert message_id in line and "091****678" in line and "654321" in line
        assert PHONE not in line
    finally:
        process.terminate()
        process.wait(timeout=5)
