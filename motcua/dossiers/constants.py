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
    IN_PROGRESS = "in_progress", _("Đang xử lý")
    # A supplement asked for during processing: the clock stops until the papers come.
    PAUSED = "paused", _("Tạm dừng, chờ bổ sung hồ sơ")
    PROCESSED = "processed", _("Đã có kết quả")
    RETURNED = "returned", _("Đã trả kết quả")
    # The handling agency ended processing without a result (stop notice, form 05 of 03/2025).
    STOPPED = "stopped", _("Dừng xử lý")


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
    APOLOGY = "apology", _("Phiếu xin lỗi và hẹn lại ngày trả kết quả")
    STOP_NOTICE = "stop_notice", _("Thông báo dừng giải quyết hồ sơ")


class WithdrawalStatus(models.TextChoices):
    """A citizen's request to withdraw a dossier the agency has already accepted."""

    PENDING = "pending", _("Chờ cơ quan xem xét")
    ACCEPTED = "accepted", _("Đồng ý cho rút hồ sơ")
    REFUSED = "refused", _("Không đồng ý, tiếp tục giải quyết")
    # The dossier ended otherwise (stopped) before the request was decided.
    LAPSED = "lapsed", _("Không còn hiệu lực")


class StepStatus(models.TextChoices):
    ACTIVE = "active", _("Đang thực hiện")
    DONE = "done", _("Đã hoàn thành")
    RETURNED = "returned", _("Bị trả lại")
    CANCELLED = "cancelled", _("Đã hủy")


class Timeliness(models.TextChoices):
    """The national classification of a step or a dossier against its deadline."""

    EARLY = "early", _("Trước hạn")
    ON_TIME = "on_time", _("Đúng hạn")
    LATE = "late", _("Quá hạn")


class Outcome(models.TextChoices):
    GRANTED = "granted", _("Giải quyết")
    REFUSED = "refused", _("Không giải quyết (có văn bản trả lời)")


class QueueView(models.TextChoices):
    """The views of an officer's work queue (the values appear in URLs)."""

    MINE = "cua-toi", _("Được giao cho tôi")
    UNIT = "don-vi", _("Của đơn vị tôi")
    DUE_SOON = "sap-den-han", _("Sắp đến hạn")
    OVERDUE = "qua-han", _("Quá hạn")
