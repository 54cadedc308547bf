from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.dossiers.constants import DossierStatus


class PaymentMethod(models.TextChoices):
    GATEWAY = "gateway", _("Thanh toán trực tuyến qua cổng thanh toán")
    NATIONAL = "national", _("Nền tảng thanh toán của Cổng Dịch vụ công quốc gia")
    CASH = "cash", _("Tiền mặt tại Bộ phận Một cửa")
    CARD = "card", _("Thẻ qua máy POS tại Bộ phận Một cửa")


ONLINE_METHODS = frozenset({PaymentMethod.GATEWAY, PaymentMethod.NATIONAL})


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Chờ thanh toán")
    PAID = "paid", _("Đã thanh toán")
    FAILED = "failed", _("Không thành công")
    EXPIRED = "expired", _("Hết hạn thanh toán")
    # Closed because the fees were taken at the counter while it was open.
    SUPERSEDED = "superseded", _("Đã hủy: đã nộp phí bằng cách khác")


class NoticeVerdict(models.TextChoices):
    """What was done with a gateway's notification (kept for finance, every one of them)."""

    APPLIED = "applied", _("Đã ghi nhận thanh toán")
    FAILED = "failed", _("Giao dịch không thành công")
    DUPLICATE = "duplicate", _("Đã ghi nhận trước đó")
    BAD_SIGNATURE = "bad_signature", _("Sai chữ ký")
    UNKNOWN_ORDER = "unknown_order", _("Không tìm thấy giao dịch")
    BAD_AMOUNT = "bad_amount", _("Sai số tiền, tiền tệ hoặc mã đơn vị")
    LATE = "late", _("Giao dịch đã hết hạn hoặc đã thanh toán bằng cách khác")


class ReceiptStatus(models.TextChoices):
    ISSUED = "issued", _("Đã phát hành")
    CANCELLED = "cancelled", _("Đã hủy")


class RefundMethod(models.TextChoices):
    GATEWAY = "gateway", _("Hoàn qua cổng thanh toán")
    COUNTER = "counter", _("Hoàn tiền mặt tại Bộ phận Một cửa")


class RefundStatus(models.TextChoices):
    REQUESTED = "requested", _("Chờ hoàn tiền")
    DONE = "done", _("Đã hoàn tiền")
    FAILED = "failed", _("Hoàn tiền không thành công")


class FindingKind(models.TextChoices):
    MISSING_HERE = "missing_here", _("Cổng thanh toán có, hệ thống không ghi nhận")
    MISSING_THERE = "missing_there", _("Hệ thống ghi nhận, cổng thanh toán không có")
    AMOUNT = "amount", _("Số tiền khác nhau")
    STATUS = "status", _("Trạng thái khác nhau")


# A dossier is paid for while it is handed in and not ended (refused, withdrawn, stopped).
PAYABLE_STATUSES = frozenset(
    {
        DossierStatus.SUBMITTED,
        DossierStatus.RECEIVED,
        DossierStatus.SUPPLEMENT_REQUESTED,
        DossierStatus.IN_PROGRESS,
        DossierStatus.PAUSED,
        DossierStatus.PROCESSED,
    }
)
