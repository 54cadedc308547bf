from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarOverrideKind(models.TextChoices):
    DAY_OFF = "day_off", _("Ngày nghỉ")
    WORKING_DAY = "working_day", _("Ngày làm việc")
