from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForecastConfig(AppConfig):
    name = "motcua.forecast"
    label = "forecast"
    verbose_name = _("Dự báo lượng hồ sơ")
