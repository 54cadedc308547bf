from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadersConfig(AppConfig):
    name = "motcua.leaders"
    verbose_name = _("Bảng điều hành của lãnh đạo")
