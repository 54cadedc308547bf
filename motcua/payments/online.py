"""Starting an online payment: the amount is the dossier's frozen fees, never the client's."""

import datetime
import ipaddress
import secrets
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.errors import ApplicationError
from motcua.dossiers.models import Dossier
from motcua.dossiers.transitions import dossier_lock
from motcua.payments.constants import PAYABLE_STATUSES, PaymentMethod, PaymentStatus
from motcua.payments.gateways import gateways
from motcua.payments.models import Payment

# Letters and digits only (VNPay's vnp_TxnRef), no look-alikes.
_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def payment_reference() -> str:
    return "TT" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(14))


def _address(client_ip: str | None) -> str | None:
    """The payer's address as the gateway needs it (vnp_IpAddr), None when there is no valid one."""
    try:
        return str(ipaddress.ip_address(client_ip or ""))
    except ValueError:
        return None


def dossier_owed_amount(dossier: Dossier) -> int:
    """What a (locked) dossier can be charged now, online or at the counter; refuses a dossier
    already paid, ended (refused, withdrawn, stopped) or owing nothing."""
    if dossier.fees_paid_at is not None:
        raise ApplicationError(_("Hồ sơ đã nộp đủ phí, lệ phí."), code="fees_already_paid")
    if dossier.status not in PAYABLE_STATUSES:
        raise ApplicationError(
            _("Hồ sơ ở trạng thái “%(status)s”, không thanh toán phí, lệ phí.")
            % {"status": dossier.get_status_display()},
            code="fees_not_payable",
        )
    if not dossier.fees_due:
        raise ApplicationError(_("Hồ sơ không phải nộp phí, lệ phí."), code="fees_none")
    return int(dossier.fees_due)


def payment_start(*, dossier: Dossier, user: Any, client_ip: str | None) -> Payment:
    """The open online payment of the dossier: a double click or a second tab gets the same
    one while it has not expired; an expired one is closed and a new one made."""
    gateway_key = settings.MOTCUA_PLUGINS.get("payments", "demo")
    with transaction.atomic():
        locked = dossier_lock(dossier_id=dossier.pk)
        dossier_owed_amount(locked)
        now = timezone.now()
        pending = Payment.objects.select_for_update().filter(dossier=locked, status=PaymentStatus.PENDING).first()
        if pending is not None:
            if pending.expires_at is None or pending.expires_at > now:
                return pending
            pending.status = PaymentStatus.EXPIRED
            pending.save(update_fields=["status"])
        try:
            with transaction.atomic():
                return Payment.objects.create(
                    dossier=locked,
                    reference=payment_reference(),
                    method=PaymentMethod.NATIONAL if gateway_key == "national" else PaymentMethod.GATEWAY,
                    gateway=gateway_key,
                    amount=locked.fees_due,
                    lines=locked.fee_lines,
                    expires_at=now + datetime.timedelta(minutes=settings.MOTCUA_PAYMENT_MINUTES),
                    client_ip=_address(client_ip),
                    payer=user,
                )
        except IntegrityError:
            # Another request made it between our check and insert (two tabs at once).
            return Payment.objects.get(dossier=locked, status=PaymentStatus.PENDING)


def payment_checkout_url(*, payment: Payment, return_url: str) -> str:
    return gateways.get(payment.gateway).checkout_url(payment, return_url=return_url)
