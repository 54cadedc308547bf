from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "motcua.catalog"
    label = "catalog"
    verbose_name = _("Thủ tục hành chính")

    def ready(self) -> None:
        from motcua.catalog.generation import connect_signals

        connect_signals()
