"""How the demo's sample dossiers settle their fees: online through the demo gateway, the way
the citizen does on its page (a signed notice through the IPN path), or in cash at the counter."""

from typing import Any

from django.conf import settings

from motcua.dossiers.models import Dossier
from motcua.payments.constants import PaymentMethod
from motcua.payments.counter import counter_payment_record
from motcua.payments.demo_gateway import demo_notice_params
from motcua.payments.notices import NoticeSource, notice_apply
from motcua.payments.online import payment_start


def demo_fees_pay(*, dossier: Dossier, officer: Any, online: bool) -> None:
    """Pay what `dossier` owes; online only while the demo gateway is the one in use."""
    if online and settings.MOTCUA_PLUGINS.get("payments", "demo") == "demo":
        payment = payment_start(dossier=dossier, user=dossier.applicant, client_ip="127.0.0.1")
        notice_apply(gateway_key="demo", source=NoticeSource.IPN, params=demo_notice_params(payment))
    else:
        counter_payment_record(dossier=dossier, officer=officer, method=PaymentMethod.CASH, revision=None)
