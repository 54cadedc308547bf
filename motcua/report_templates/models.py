from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.report_templates.constants import FileFormat, Frequency, Grouping, Orientation, Period


class ReportTemplate(models.Model):
    """A report administrators define without code: which of the dashboard's measures
    (`leaders/measures.py`), grouped how, over which period and scope, laid out for Excel or
    PDF, and sent to which leaders how often (`report_templates/services.py`)."""

    name = models.CharField(_("tên báo cáo"), max_length=200)
    measures = models.JSONField(_("chỉ tiêu"), default=list, help_text=_("Các cột của báo cáo, theo thứ tự."))
    grouping = models.CharField(_("chia nhóm"), max_length=16, choices=Grouping.choices, default=Grouping.AGENCY)
    period = models.CharField(_("kỳ báo cáo"), max_length=16, choices=Period.choices, default=Period.LAST_MONTH)
    # A scope of the leaders' dashboard: "tinh" (the province) or "co-quan-<id>".
    scope = models.CharField(_("phạm vi"), max_length=40, default="tinh")
    file_format = models.CharField(
        _("định dạng tệp"), max_length=8, choices=FileFormat.choices, default=FileFormat.XLSX
    )
    orientation = models.CharField(
        _("khổ giấy (PDF)"), max_length=16, choices=Orientation.choices, default=Orientation.LANDSCAPE
    )
    footnote = models.TextField(_("ghi chú cuối báo cáo"), blank=True)
    frequency = models.CharField(_("tần suất gửi"), max_length=16, choices=Frequency.choices, default=Frequency.MONTHLY)
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("người nhận"), blank=True, related_name="report_templates"
    )
    active = models.BooleanField(_("đang gửi"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("mẫu báo cáo định kỳ")
        verbose_name_plural = _("mẫu báo cáo định kỳ")

    def __str__(self) -> str:
        return self.name
