from django.db import models
from django.utils.translation import gettext_lazy as _


class Grouping(models.TextChoices):
    NONE = "none", _("Không chia nhóm (một dòng tổng)")
    AGENCY = "agency", _("Theo cơ quan")
    FIELD = "field", _("Theo lĩnh vực")
    PROCEDURE = "procedure", _("Theo thủ tục")
    DAY = "day", _("Theo ngày")
    WEEK = "week", _("Theo tuần")
    MONTH = "month", _("Theo tháng")


class Period(models.TextChoices):
    """The period a report covers, the last one finished before the day it is made."""

    YESTERDAY = "yesterday", _("Ngày hôm trước")
    LAST_WEEK = "last_week", _("Tuần trước (thứ Hai đến Chủ nhật)")
    LAST_MONTH = "last_month", _("Tháng trước")
    LAST_QUARTER = "last_quarter", _("Quý trước")
    LAST_YEAR = "last_year", _("Năm trước")


class Frequency(models.TextChoices):
    DAILY = "daily", _("Hằng ngày")
    WEEKLY = "weekly", _("Hằng tuần (thứ Hai)")
    MONTHLY = "monthly", _("Hằng tháng (ngày 1)")
    QUARTERLY = "quarterly", _("Hằng quý (ngày đầu quý)")
    YEARLY = "yearly", _("Hằng năm (ngày 1/1)")


class FileFormat(models.TextChoices):
    XLSX = "xlsx", _("Excel (.xlsx)")
    PDF = "pdf", _("PDF")


class Orientation(models.TextChoices):
    PORTRAIT = "portrait", _("Khổ dọc")
    LANDSCAPE = "landscape", _("Khổ ngang")
