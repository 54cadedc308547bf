from collections.abc import Iterator
from typing import Any

import pytest

from motcua.dossiers.tests.conftest import real_birth_registration  # noqa: F401 - shared fixture
from motcua.payments.vnpay_simulator import VNPaySimulator


@pytest.fixture
def owed_dossier(hung: Any, birth_version: Any) -> Any:
    """Hùng's birth registration, handed in, owing 16,000 đ for two copies, with the ward's
    receipt series ready."""
    from motcua.dossiers.testing import submitted_dossier

    dossier = submitted_dossier(hung, birth_version)
    dossier.fees_due = 16000
    dossier.fee_lines = [
        {"kind": "fee", "name": "Cấp bản sao trích lục", "quantity": 2, "unit_amount": 8000, "amount": 16000}
    ]
    dossier.save(update_fields=["fees_due", "fee_lines"])
    return dossier


@pytest.fixture
def vnpay(settings: Any) -> Iterator[VNPaySimulator]:
    """The VNPay simulator, and the site set to pay through it."""
    with VNPaySimulator(tmn_code="MOTCUA01", hash_secret="test-hash-secret") as simulator:
        settings.MOTCUA_PLUGINS = {**settings.MOTCUA_PLUGINS, "payments": "vnpay"}
        settings.MOTCUA_VNPAY_TMN_CODE = simulator.tmn_code
        settings.MOTCUA_VNPAY_HASH_SECRET = simulator.hash_secret
        settings.MOTCUA_VNPAY_PAY_URL = simulator.pay_url
        settings.MOTCUA_VNPAY_API_URL = simulator.api_url
        settings.MOTCUA_VNPAY_REPORT_URL = simulator.report_url
        settings.MOTCUA_HTTP_TIMEOUT_SECONDS = 2
        yield simulator
