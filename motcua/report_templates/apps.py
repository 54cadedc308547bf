from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportTemplatesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "motcua.report_templates"
    verbose_name = _("Mẫu báo cáo định kỳ")
