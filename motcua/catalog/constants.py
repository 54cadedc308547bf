from django.db import models
from django.utils.translation import gettext_lazy as _


class ProcedureLevel(models.TextChoices):
    PROVINCE = "province", _("Cấp tỉnh")
    DISTRICT = "district", _("Cấp huyện")
    COMMUNE = "commune", _("Cấp xã")


class TimeUnit(models.TextChoices):
    WORKING_DAY = "working_day", _("ngày làm việc")
    WORKING_HOUR = "working_hour", _("giờ làm việc")


class OnlineLevel(models.TextChoices):
    FULL = "full", _("Toàn trình")
    PARTIAL = "partial", _("Một phần")


class FeeKind(models.TextChoices):
    FEE = "fee", _("Lệ phí")
    CHARGE = "charge", _("Phí")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    PUBLISHED = "published", _("Đang áp dụng")
    RETIRED = "retired", _("Hết hiệu lực")


class VerificationStatus(models.TextChoices):
    VERIFIED = "verified", _("Đã đối chiếu nguồn công khai")
    PARTIAL = "partial", _("Đối chiếu một phần")
    UNVERIFIED = "unverified", _("Chưa đối chiếu")


class ImportJobStatus(models.TextChoices):
    PENDING = "pending", _("Đang chờ")
    RUNNING = "running", _("Đang nhập")
    DONE = "done", _("Hoàn thành")
    REFUSED = "refused", _("Bị từ chối")
