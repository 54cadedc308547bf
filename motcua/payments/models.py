"""Payments of a dossier's fees, their receipts, refunds and the reconciliation with gateways
(docs/payments.md). Money is in whole đồng. Nothing here is ever deleted: a receipt is cancelled
and replaced, a refund is a record of its own."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.catalog.constants import LineKind
from motcua.payments.constants import (
    FindingKind,
    NoticeVerdict,
    PaymentMethod,
    PaymentStatus,
    ReceiptStatus,
    RefundMethod,
    RefundStatus,
)


class Payment(models.Model):
    """One attempt to pay a dossier's fees: online through a gateway, or at the counter."""

    dossier = models.ForeignKey(
        "dossiers.Dossier", verbose_name=_("hồ sơ"), on_delete=models.PROTECT, related_name="payments"
    )
    # The order reference sent to the gateway (vnp_TxnRef): unique, letters and digits only.
    reference = models.CharField(_("mã giao dịch"), max_length=32, unique=True)
    method = models.CharField(_("hình thức"), max_length=10, choices=PaymentMethod.choices)
    gateway = models.CharField(_("cổng thanh toán"), max_length=32, blank=True)
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    lines = models.JSONField(_("chi tiết"), default=list)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    expires_at = models.DateTimeField(_("hết hạn lúc"), null=True, blank=True)
    paid_at = models.DateTimeField(_("thanh toán lúc"), null=True, blank=True)
    # The gateway's own transaction number and the bank used, from its notification.
    transaction_no = models.CharField(_("mã giao dịch tại cổng"), max_length=64, blank=True)
    bank_code = models.CharField(_("ngân hàng"), max_length=32, blank=True)
    response_code = models.CharField(_("mã phản hồi của cổng"), max_length=8, blank=True)
    # When the gateway was last asked about a payment it never confirmed.
    queried_at = models.DateTimeField(_("tra soát lúc"), null=True, blank=True)
    client_ip = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nộp"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ thu"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("giao dịch thanh toán")
        verbose_name_plural = _("giao dịch thanh toán")
        constraints = [
            # The citizen is charged once: one paid payment and one open attempt per dossier.
            models.UniqueConstraint(
                fields=["dossier"], condition=Q(status=PaymentStatus.PAID), name="payment_one_paid_per_dossier"
            ),
            models.UniqueConstraint(
                fields=["dossier"], condition=Q(status=PaymentStatus.PENDING), name="payment_one_pending_per_dossier"
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_at"]), models.Index(fields=["gateway", "paid_at"])]

    def __str__(self) -> str:
        return self.reference


class PaymentNotice(models.Model):
    """Every notification or answer a gateway sent about a payment, with what was done with it."""

    received_at = models.DateTimeField(_("nhận lúc"), auto_now_add=True)
    gateway = models.CharField(_("cổng thanh toán"), max_length=32)
    # ipn (server to server), return (the browser came back), query (we asked).
    source = models.CharField(_("nguồn"), max_length=8)
    reference = models.CharField(_("mã giao dịch"), max_length=64, blank=True)
    payment = models.ForeignKey(
        Payment, verbose_name=_("giao dịch"), null=True, blank=True, on_delete=models.PROTECT, related_name="notices"
    )
    params = models.JSONField(_("nội dung"), default=dict)
    verdict = models.CharField(_("kết quả xử lý"), max_length=16, choices=NoticeVerdict.choices)
    answer_code = models.CharField(_("mã trả lời"), max_length=8, blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("thông báo từ cổng thanh toán")
        verbose_name_plural = _("thông báo từ cổng thanh toán")
        indexes = [models.Index(fields=["reference"])]

    def __str__(self) -> str:
        return f"{self.gateway} {self.source} {self.reference}"


class ReceiptSeries(models.Model):
    """A series of electronic receipts of an agency (mẫu số and ký hiệu), numbered without gaps."""

    agency = models.ForeignKey(
        "directory.Agency", verbose_name=_("cơ quan thu"), on_delete=models.PROTECT, related_name="receipt_series"
    )
    template_code = models.CharField(_("ký hiệu mẫu biên lai"), max_length=20)
    symbol = models.CharField(_("ký hiệu biên lai"), max_length=20)
    name = models.CharField(_("tên loại biên lai"), max_length=200, default=_("Biên lai thu phí, lệ phí"))
    next_number = models.PositiveIntegerField(_("số tiếp theo"), default=1)
    active = models.BooleanField(_("đang dùng"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["agency", "-created_at"]
        verbose_name = _("quyển biên lai điện tử")
        verbose_name_plural = _("quyển biên lai điện tử")
        constraints = [
            models.UniqueConstraint(fields=["agency", "template_code", "symbol"], name="receiptseries_unique_symbol"),
            models.UniqueConstraint(fields=["agency"], condition=Q(active=True), name="receiptseries_one_active"),
        ]

    def __str__(self) -> str:
        return f"{self.template_code} {self.symbol}"


class Receipt(models.Model):
    """An electronic receipt (biên lai điện tử) for a payment."""

    series = models.ForeignKey(ReceiptSeries, verbose_name=_("quyển"), on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField(_("số biên lai"))
    payment = models.ForeignKey(Payment, verbose_name=_("giao dịch"), on_delete=models.PROTECT, related_name="receipts")
    dossier = models.ForeignKey(
        "dossiers.Dossier", verbose_name=_("hồ sơ"), on_delete=models.PROTECT, related_name="receipts"
    )
    agency = models.ForeignKey("directory.Agency", verbose_name=_("cơ quan thu"), on_delete=models.PROTECT)
    payer_name = models.CharField(_("người nộp"), max_length=200)
    payer_address = models.CharField(_("địa chỉ người nộp"), max_length=500, blank=True)
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    method = models.CharField(_("hình thức thanh toán"), max_length=10, choices=PaymentMethod.choices)
    issued_at = models.DateTimeField(_("ngày lập"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người thu"), null=True, blank=True, on_delete=models.PROTECT
    )
    # The random part of the QR code's look-up address (receipts are not enumerable).
    token = models.CharField(max_length=32, unique=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=ReceiptStatus.choices, default=ReceiptStatus.ISSUED
    )
    cancel_reason = models.TextField(_("lý do hủy"), blank=True)
    cancelled_at = models.DateTimeField(_("hủy lúc"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người hủy"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("thay thế biên lai"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("biên lai điện tử")
        verbose_name_plural = _("biên lai điện tử")
        constraints = [
            models.UniqueConstraint(fields=["series", "number"], name="receipt_unique_number"),
            models.UniqueConstraint(
                fields=["payment"], condition=Q(status=ReceiptStatus.ISSUED), name="receipt_one_issued_per_payment"
            ),
        ]
        indexes = [models.Index(fields=["agency", "issued_at"])]

    def __str__(self) -> str:
        return f"{self.series} {self.number:07d}"


class ReceiptLine(models.Model):
    receipt = models.ForeignKey(Receipt, on_delete=models.PROTECT, related_name="lines")
    kind = models.CharField(_("loại"), max_length=8, choices=LineKind.choices)
    name = models.CharField(_("nội dung thu"), max_length=500)
    quantity = models.PositiveIntegerField(_("số lượng"), default=1)
    unit_amount = models.PositiveBigIntegerField(_("đơn giá (đồng)"))
    amount = models.PositiveBigIntegerField(_("thành tiền (đồng)"))

    class Meta:
        ordering = ["receipt", "pk"]
        verbose_name = _("dòng biên lai")
        verbose_name_plural = _("dòng biên lai")

    def __str__(self) -> str:
        return self.name


class Refund(models.Model):
    """Money given back for a paid dossier that was refused, withdrawn or stopped."""

    payment = models.ForeignKey(Payment, verbose_name=_("giao dịch"), on_delete=models.PROTECT, related_name="refunds")
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    reason = models.TextField(_("lý do"))
    method = models.CharField(_("hình thức"), max_length=10, choices=RefundMethod.choices)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=RefundStatus.choices, default=RefundStatus.REQUESTED
    )
    requested_at = models.DateTimeField(_("đề nghị lúc"), auto_now_add=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    done_at = models.DateTimeField(_("hoàn lúc"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    gateway_reference = models.CharField(_("mã hoàn tiền tại cổng"), max_length=64, blank=True)
    failure = models.TextField(_("lỗi"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("số lần thử"), default=0)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("hoàn tiền")
        verbose_name_plural = _("hoàn tiền")
        constraints = [
            # A refund asked twice is one refund.
            models.UniqueConstraint(
                fields=["payment"],
                condition=Q(status__in=[RefundStatus.REQUESTED, RefundStatus.DONE]),
                name="refund_one_open_per_payment",
            )
        ]

    def __str__(self) -> str:
        return f"{self.payment} −{self.amount}"


class ReconciliationRun(models.Model):
    gateway = models.CharField(_("cổng thanh toán"), max_length=32)
    day = models.DateField(_("ngày đối soát"))
    ran_at = models.DateTimeField(_("chạy lúc"), auto_now=True)
    matched = models.PositiveIntegerField(_("khớp"), default=0)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("lượt đối soát")
        verbose_name_plural = _("lượt đối soát")
        constraints = [models.UniqueConstraint(fields=["gateway", "day"], name="reconciliationrun_unique_day")]

    def __str__(self) -> str:
        return f"{self.gateway} {self.day:%d/%m/%Y}"


class ReconciliationFinding(models.Model):
    """A difference between the gateway's transaction report and our records, for finance."""

    run = models.ForeignKey(ReconciliationRun, on_delete=models.PROTECT, related_name="findings")
    kind = models.CharField(_("loại chênh lệch"), max_length=16, choices=FindingKind.choices)
    reference = models.CharField(_("mã giao dịch"), max_length=64)
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    ours = models.JSONField(_("hệ thống ghi nhận"), default=dict, blank=True)
    theirs = models.JSONField(_("cổng thanh toán báo"), default=dict, blank=True)
    resolved_at = models.DateTimeField(_("xử lý lúc"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution = models.TextField(_("cách xử lý"), blank=True)

    class Meta:
        ordering = ["run", "pk"]
        verbose_name = _("chênh lệch đối soát")
        verbose_name_plural = _("chênh lệch đối soát")
        constraints = [
            models.UniqueConstraint(fields=["run", "reference", "kind"], name="finding_unique_per_run"),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.get_kind_display()}"
