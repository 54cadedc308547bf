from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PostalConfig(AppConfig):
    name = "motcua.postal"
    label = "postal"
    verbose_name = _("Bưu chính công ích")
