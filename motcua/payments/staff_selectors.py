"""Reads for the finance page: an agency's payments, receipts, refunds to do and reconciliation
findings, scoped by `receipts.fee_agencies` (None: the whole province)."""

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from motcua.directory.models import Agency
from motcua.payments.constants import NoticeVerdict, PaymentStatus, RefundStatus
from motcua.payments.models import Payment, PaymentNotice, Receipt, ReconciliationFinding, Refund
from motcua.payments.notices import NoticeSource

PAGE_ROWS = 50


def _scoped(queryset: QuerySet, agencies: QuerySet[Agency] | None, path: str) -> QuerySet:
    return queryset if agencies is None else queryset.filter(**{f"{path}__in": agencies})


def payments_for_finance(agencies: QuerySet[Agency] | None) -> QuerySet[Payment]:
    payments = Payment.objects.filter(status=PaymentStatus.PAID).select_related("dossier", "recorded_by")
    return _scoped(payments, agencies, "dossier__agency_id").order_by("-paid_at")[:PAGE_ROWS]


def attempts_unfinished(agencies: QuerySet[Agency] | None) -> QuerySet[Payment]:
    """Online attempts not (or not yet) paid: waiting, failed at the bank, or expired."""
    attempts = Payment.objects.exclude(status=PaymentStatus.PAID).select_related("dossier")
    return _scoped(attempts, agencies, "dossier__agency_id").order_by("-created_at")[:PAGE_ROWS]


def notices_refused(agencies: QuerySet[Agency] | None) -> QuerySet[PaymentNotice]:
    """Gateway messages that changed nothing (forged, tampered, unknown, late, repeated), for
    finance to see every case; those naming no payment of ours show to province-wide roles only.
    Left out (still logged): the bank's "not paid" for one of our attempts, which the attempts
    list shows, and the browser coming back with a genuine signature, which is normal whether
    it arrives before or after the IPN. `dossier_code` is the dossier of the payment the notice
    names, also when a forged signature tied it to none."""
    named_dossier = Payment.objects.filter(reference=OuterRef("reference")).values("dossier__code")[:1]
    notices = (
        PaymentNotice.objects.exclude(verdict=NoticeVerdict.APPLIED)
        .exclude(verdict=NoticeVerdict.FAILED, payment__isnull=False)
        .exclude(source=NoticeSource.RETURN, verdict=NoticeVerdict.DUPLICATE)
        .annotate(dossier_code=Coalesce("payment__dossier__code", Subquery(named_dossier)))
    )
    if agencies is not None:
        # A notice failing its signature is tied to no payment; its reference still names one.
        ours = Payment.objects.filter(dossier__agency__in=agencies).values("reference")
        notices = notices.filter(Q(payment__dossier__agency_id__in=agencies) | Q(reference__in=ours))
    return notices.order_by("-received_at")[:PAGE_ROWS]


def receipts_for_finance(agencies: QuerySet[Agency] | None) -> QuerySet[Receipt]:
    receipts = Receipt.objects.select_related("series", "dossier", "agency", "replaces")
    return _scoped(receipts, agencies, "agency_id").order_by("-issued_at")[:PAGE_ROWS]


def refunds_to_do(agencies: QuerySet[Agency] | None) -> QuerySet[Refund]:
    refunds = Refund.objects.filter(status__in=[RefundStatus.REQUESTED, RefundStatus.FAILED]).select_related(
        "payment__dossier"
    )
    return _scoped(refunds, agencies, "payment__dossier__agency_id").order_by("requested_at")


def findings_open(agencies: QuerySet[Agency] | None) -> QuerySet[ReconciliationFinding]:
    """Unresolved findings; those with no payment of ours (the gateway's alone) belong to no
    agency and show to the province-wide roles only."""
    findings = ReconciliationFinding.objects.filter(resolved_at__isnull=True).select_related("run", "payment__dossier")
    if agencies is not None:
        findings = findings.filter(Q(payment__dossier__agency_id__in=agencies))
    return findings.order_by("run__day", "pk")
