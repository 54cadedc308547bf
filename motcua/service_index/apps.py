from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceIndexConfig(AppConfig):
    name = "motcua.service_index"
    verbose_name = _("Bộ chỉ số 766")
