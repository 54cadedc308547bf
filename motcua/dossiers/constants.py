from django.db import models
from django.utils.translation import gettext_lazy as _


class DossierStatus(models.TextChoices):
    """Business states; payment, delivery and sync are separate axes added with their issues."""

    DRAFT = "draft", _("Đang soạn")
    AWAITING_CONFIRMATION = "awaiting_confirmation", _("Chờ xác nhận mã OTP")
    SUBMITTED = "submitted", _("Chờ tiếp nhận")
    WITHDRAWN = "withdrawn", _("Đã rút")
    RECEIVED = "received", _("Đã tiếp nhận")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Yêu cầu bổ sung")
    REJECTED = "rejected", _("Từ chối tiếp nhận")


class Channel(models.TextChoices):
    ONLINE = "online", _("Trực tuyến")
    COUNTER = "counter", _("Trực tiếp tại Bộ phận Một cửa")
    POST_OFFICE = "post_office", _("Qua bưu điện")
    NATIONAL_PORTAL = "national_portal", _("Cổng Dịch vụ công quốc gia")


class DeliveryMethod(models.TextChoices):
    ONLINE = "online", _("Nhận kết quả trực tuyến")
    COUNTER = "counter", _("Nhận tại Bộ phận Một cửa")
    POST = "post", _("Nhận qua bưu chính")


class AttachmentSource(models.TextChoices):
    UPLOAD = "upload", _("Tải lên")
    DOCUMENT_STORE = "document_store", _("Từ kho dữ liệu")
    SCAN = "scan", _("Số hóa tại quầy")


class SlipKind(models.TextChoices):
    RECEIPT = "receipt", _("Giấy tiếp nhận hồ sơ và hẹn trả kết quả")
    SUPPLEMENT = "supplement", _("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ")
    REFUSAL = "refusal", _("Phiếu từ chối tiếp nhận giải quyết hồ sơ")
