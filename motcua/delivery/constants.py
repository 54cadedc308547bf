from django.db import models
from django.utils.translation import gettext_lazy as _

# The carrier the one-stop units use unless the officer names another (public postal service).
DEFAULT_CARRIER = "Bưu điện (VNPost)"


class RecipientKind(models.TextChoices):
    APPLICANT = "applicant", _("Người nộp hồ sơ")
    AUTHORISED = "authorised", _("Người được ủy quyền")


class IdPaperKind(models.TextChoices):
    """The identity paper the recipient shows at the counter."""

    CITIZEN_ID = "citizen_id", _("Thẻ căn cước / Căn cước công dân")
    PASSPORT = "passport", _("Hộ chiếu")
    OTHER = "other", _("Giấy tờ tùy thân khác")


class ShipmentStatus(models.TextChoices):
    SENT = "sent", _("Đang gửi qua bưu chính")
    DELIVERED = "delivered", _("Đã giao qua bưu chính")
    FAILED = "failed", _("Bưu chính không giao được, đã trả lại")


class ShipmentEventKind(models.TextChoices):
    """What happened to a shipment: recorded by the officer today, by a carrier adapter later."""

    SENT = "sent", _("Đã gửi")
    IN_TRANSIT = "in_transit", _("Đang vận chuyển")
    ATTEMPT_FAILED = "attempt_failed", _("Phát không thành công")
    DELIVERED = "delivered", _("Đã giao")
    FAILED = "failed", _("Không giao được")
    LOST = "lost", _("Thất lạc")


class CarrierNoticeVerdict(models.TextChoices):
    """What became of a tracking webhook from the carrier."""

    APPLIED = "applied", _("Đã ghi nhận")
    DUPLICATE = "duplicate", _("Trùng, đã có")
    UNKNOWN_SHIPMENT = "unknown_shipment", _("Không có bưu gửi này")
    BAD_SIGNATURE = "bad_signature", _("Sai chữ ký")
    MALFORMED = "malformed", _("Dữ liệu không hợp lệ")
