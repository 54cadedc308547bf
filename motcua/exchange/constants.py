from django.db import models
from django.utils.translation import gettext_lazy as _


class ExchangeService(models.TextChoices):
    """Services reached through the province's data-exchange platform (LGSP/NDXP).

    Values are the service codes sent in every request (header X-LGSP-Service); stable.
    """

    POPULATION_LOOKUP = "DANCU.TRACUU_CONGDAN", _("Tra cứu Cơ sở dữ liệu quốc gia về dân cư")
    BUSINESS_LOOKUP = "DKDN.TRACUU_MST", _("Tra cứu đăng ký doanh nghiệp theo mã số thuế")
    CIVIL_STATUS_RESULT = "HOTICH.CAPNHAT_KETQUA", _("Cập nhật kết quả vào Cơ sở dữ liệu hộ tịch")
    RESIDENCE_RESULT = "CUTRU.CAPNHAT_KETQUA", _("Cập nhật kết quả vào Cơ sở dữ liệu về cư trú")


# Services that push a dossier's result to a sector system (the others are look-ups).
PUSH_SERVICES = frozenset({ExchangeService.CIVIL_STATUS_RESULT, ExchangeService.RESIDENCE_RESULT})


class ExchangePurpose(models.TextChoices):
    """Why data was asked for or sent: required on every exchange, shown to the citizen."""

    PREFILL = "prefill", _("Điền sẵn tờ khai theo đề nghị của người nộp hồ sơ")
    RECEPTION_CHECK = "reception_check", _("Kiểm tra thông tin khi tiếp nhận hồ sơ")
    PROCESSING_CHECK = "processing_check", _("Xác minh thông tin trong quá trình giải quyết hồ sơ")
    RESULT_UPDATE = "result_update", _("Cập nhật kết quả giải quyết vào cơ sở dữ liệu chuyên ngành")


# The purposes an officer may pick for a look-up of their own.
OFFICER_PURPOSES = (ExchangePurpose.RECEPTION_CHECK, ExchangePurpose.PROCESSING_CHECK)


class ExchangeOutcome(models.TextChoices):
    FOUND = "found", _("Có dữ liệu")
    NOT_FOUND = "not_found", _("Không có dữ liệu")
    DELIVERED = "delivered", _("Đã gửi")
    FAILED = "failed", _("Không thành công")


class SubjectKind(models.TextChoices):
    PERSON = "person", _("Công dân")
    BUSINESS = "business", _("Doanh nghiệp")


class PushStatus(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    SENDING = "sending", _("Đang gửi")
    DELIVERED = "delivered", _("Đã gửi")
