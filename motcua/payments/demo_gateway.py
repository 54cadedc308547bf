"""The demo gateway of the embedded profile: its "bank" is a page of this site
(payments.views.demo_checkout, built with the online views) that signs its notifications with a
key derived from SECRET_KEY, so the same verification and idempotency paths run as with a
real gateway. It keeps no books of its own: its report and its answers come from our records.

Like a real bank's page, its page is reached by its signed checkout address alone (a mobile app
holding only an API token opens it in a browser with no session of ours): the address names the
payment's order reference and an HMAC of it, so it is unguessable and good for that payment only."""

import datetime
import secrets

from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from motcua.payments.constants import NoticeVerdict, PaymentStatus
from motcua.payments.gateways import (
    GatewayNotice,
    NoticeRejected,
    RefundOutcome,
    ReportedTransaction,
    gateways,
)
from motcua.payments.models import Payment

SUCCESS = "00"
_SALT = "motcua.payments.demo_gateway"


def demo_signature(params: dict[str, str]) -> str:
    message = "&".join(f"{key}={params[key]}" for key in sorted(params) if key != "sig")
    return salted_hmac(_SALT, message, algorithm="sha512").hexdigest()


def _checkout_signature(reference: str) -> str:
    return salted_hmac(f"{_SALT}.checkout", reference, algorithm="sha256").hexdigest()[:32]


def demo_checkout_token(payment: Payment) -> str:
    return f"{payment.reference}-{_checkout_signature(payment.reference)}"


def demo_checkout_payment(token: str) -> Payment | None:
    """The demo payment a checkout address names, None when its signature does not hold."""
    reference, _dash, signature = token.partition("-")
    if not constant_time_compare(signature, _checkout_signature(reference)):
        return None
    return Payment.objects.filter(reference=reference, gateway=DemoGateway.key).select_related("dossier").first()


def demo_notice_params(payment: Payment, *, result: str = SUCCESS) -> dict[str, str]:
    """What the demo bank sends when the citizen pays (or cancels) on its page."""
    params = {
        "ref": payment.reference,
        "amount": str(payment.amount),
        "result": result,
        "txn": "DEMO" + secrets.token_hex(6).upper(),
        "at": timezone.now().strftime("%Y%m%d%H%M%S"),
    }
    params["sig"] = demo_signature(params)
    return params


class DemoGateway:
    key = "demo"
    label = _("Cổng thanh toán mô phỏng")

    def checkout_url(self, payment: Payment, *, return_url: str) -> str:
        # The demo "bank" is a page of this site and returns to our own return page.
        return reverse("payments:demo_checkout", args=[demo_checkout_token(payment)])

    def notice_verify(self, params: dict[str, str]) -> GatewayNotice:
        if not constant_time_compare(params.get("sig", ""), demo_signature(params)):
            raise NoticeRejected(NoticeVerdict.BAD_SIGNATURE, "97")
        try:
            amount = int(params["amount"])
            paid_at = datetime.datetime.strptime(params["at"], "%Y%m%d%H%M%S").replace(
                tzinfo=timezone.get_current_timezone()
            )
        except (KeyError, ValueError):
            raise NoticeRejected(NoticeVerdict.BAD_AMOUNT, "04") from None
        return GatewayNotice(
            reference=params.get("ref", ""),
            amount=amount,
            succeeded=params.get("result") == SUCCESS,
            transaction_no=params.get("txn", ""),
            response_code=params.get("result", ""),
            paid_at=paid_at,
            params=dict(params),
        )

    def notice_answer(self, *, verdict: str, answer: str) -> tuple[str, str]:
        return f'{{"RspCode":"{answer}"}}', "application/json"

    def query(self, payment: Payment) -> GatewayNotice | None:
        if payment.status != PaymentStatus.PAID:
            return None
        return GatewayNotice(
            reference=payment.reference,
            amount=payment.amount,
            succeeded=True,
            transaction_no=payment.transaction_no,
            response_code=SUCCESS,
            paid_at=payment.paid_at,
        )

    def refund(self, payment: Payment, *, amount: int, reason: str, actor_name: str) -> RefundOutcome:
        return RefundOutcome(succeeded=True, gateway_reference="DEMOR" + secrets.token_hex(6).upper())

    def transactions(self, day: datetime.date) -> list[ReportedTransaction]:
        paid = Payment.objects.filter(gateway=self.key, status=PaymentStatus.PAID, paid_at__date=day)
        return [
            ReportedTransaction(
                reference=p.reference,
                amount=p.amount,
                succeeded=True,
                transaction_no=p.transaction_no,
                paid_at=p.paid_at,
            )
            for p in paid
        ]


@gateways.register("demo")
def _demo_gateway() -> DemoGateway:
    return DemoGateway()
