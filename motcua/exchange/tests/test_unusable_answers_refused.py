"""An answer the adapter cannot trust or read is not used: unsigned, 500, timeout, garbage. Each
gives a clear Vietnamese message and a code, and is logged as a failed exchange."""

import pytest

from motcua.exchange.client import ExchangeError
from motcua.exchange.constants import ExchangeOutcome, ExchangePurpose
from motcua.exchange.models import ExchangeLog
from motcua.exchange.services import business_lookup

from .conftest import received_dossier

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("mode", "code", "message"),
    [
        ("unsigned", "exchange_unsigned", "không có chữ ký hợp lệ"),
        ("down", "exchange_http_error", "đang gặp sự cố (mã 500)"),
        ("slow", "exchange_timeout", "không phản hồi kịp thời"),
        ("garbage", "exchange_invalid_answer", "dữ liệu không hợp lệ"),
    ],
)
def test_unusable_answer_is_a_logged_failure(exchange_simulator, versions, hung, reception, mode, code, message):
    dossier = received_dossier(version=versions["business"], applicant=hung, officer=reception)
    exchange_simulator.fail(mode, delay=3)
    with pytest.raises(ExchangeError) as raised:
        business_lookup(
            officer=reception, dossier=dossier, tax_code="6001234562", purpose=ExchangePurpose.RECEPTION_CHECK
        )
    assert raised.value.code == code and message in raised.value.message
    entry = ExchangeLog.objects.get()
    assert entry.outcome == ExchangeOutcome.FAILED and entry.error_code == code
    assert entry.response_fields == []
