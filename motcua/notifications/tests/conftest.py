from dataclasses import dataclass
from typing import Any

import pytest

from motcua.core.testing import citizen
from motcua.notifications.simulator import SmsSimulator
from motcua.notifications.testing import SmtpTestServer
from motcua.notifications.zalo_simulator import ZaloSimulator

PHONE = "0912345678"
EMAIL = "hung@example.vn"


@pytest.fixture
def hung(birth_version: Any) -> Any:
    """A citizen with an e-mail address and a verified phone, who chose all three channels."""
    from motcua.accounts.models import CitizenProfile

    user = citizen(phone=PHONE, email=EMAIL)
    CitizenProfile.objects.filter(user=user).update(notify_email=True, notify_sms=True, notify_zalo=True)
    user.refresh_from_db()
    return user


@dataclass
class Providers:
    smtp: SmtpTestServer
    sms: SmsSimulator
    zalo: ZaloSimulator


@pytest.fixture
def providers(smtp_server: SmtpTestServer, sms_simulator: SmsSimulator, zalo_simulator: ZaloSimulator) -> Providers:
    """The three real adapters, each against its local stand-in."""
    return Providers(smtp=smtp_server, sms=sms_simulator, zalo=zalo_simulator)
