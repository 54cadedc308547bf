from django.db import models
from django.utils.translation import gettext_lazy as _


class OtpPurpose(models.TextChoices):
    VERIFY_PHONE = "verify_phone", _("Xác thực số điện thoại")
    CONFIRM_SUBMISSION = "confirm_submission", _("Xác nhận nộp hồ sơ")
    ASSISTED_IDENTITY = "assisted_identity", _("Xác nhận công dân có mặt khi nộp thay")
