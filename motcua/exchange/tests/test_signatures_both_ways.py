"""Requests are signed by the adapter and verified by the platform; answers are signed by the
platform and verified by the adapter; a key that differs on either side stops the exchange."""

import pytest

from motcua.exchange import protocol
from motcua.exchange.client import ExchangeError, LgspTransport
from motcua.exchange.constants import ExchangeService
from motcua.exchange.simulator import PLATFORM_ID
from motcua.exchange.testing import SECRET, SYSTEM_ID


def _transport(url: str, *, secret: str = SECRET, platform: str = PLATFORM_ID) -> LgspTransport:
    return LgspTransport(base_url=url, system_id=SYSTEM_ID, platform_id=platform, secret=secret, timeout=2)


def test_signed_request_accepted_and_signed_answer_verified(exchange_simulator):
    """A genuine request reaches the service and its verified answer is returned."""
    answer = _transport(exchange_simulator.url).call(ExchangeService.BUSINESS_LOOKUP, {"tax_code": "6001234562"})
    assert answer["found"] is True and answer["business"]["name"] == "CÔNG TY TNHH CÀ PHÊ BUÔN ĐÔN XANH"
    assert exchange_simulator.refusals == []


def test_request_signed_with_another_key_is_refused_by_the_platform(exchange_simulator):
    """The platform refuses (and cannot sign an answer the adapter would accept)."""
    with pytest.raises(ExchangeError) as raised:
        _transport(exchange_simulator.url, secret="another-key-" + "x" * 30).call(
            ExchangeService.BUSINESS_LOOKUP, {"tax_code": "6001234562"}
        )
    assert exchange_simulator.refusals == ["bad_signature"]
    # The refusal is signed with the platform's key, which is not ours: not trusted either.
    assert raised.value.code == "exchange_unsigned"


def test_answer_from_another_platform_id_is_refused(exchange_simulator):
    """An answer signed under a name other than the platform's configured id is not used."""
    with pytest.raises(ExchangeError) as raised:
        _transport(exchange_simulator.url, platform="LGSP-ELSEWHERE").call(
            ExchangeService.BUSINESS_LOOKUP, {"tax_code": "6001234562"}
        )
    assert raised.value.code == "exchange_unsigned"


def test_answer_bound_to_its_request_nonce():
    """A genuine answer to one request does not verify as the answer to another."""
    body = b'{"found":false}'
    headers = protocol.signed_response_headers(
        secret=SECRET, status=200, system=PLATFORM_ID, service="S", request_nonce="nonce-1", body=body
    )
    check = {"secret": SECRET, "status": 200, "platform": PLATFORM_ID, "service": "S", "headers": headers}
    assert protocol.response_is_authentic(**check, request_nonce="nonce-1", body=body)
    assert not protocol.response_is_authentic(**check, request_nonce="nonce-2", body=body)
    assert not protocol.response_is_authentic(**check, request_nonce="nonce-1", body=b'{"found":true}')
    assert not protocol.response_is_authentic(**{**check, "status": 500}, request_nonce="nonce-1", body=body)
