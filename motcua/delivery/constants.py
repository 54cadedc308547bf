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
    DELIVERED = "delivered", _("Đã giao")
    FAILED = "failed", _("Không giao được")
