from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "motcua.reports"
    verbose_name = _("Thống kê, đánh giá")

    def ready(self) -> None:
        # Subscribes the daily counts to the dossiers' domain events.
        from motcua.reports import consumers  # noqa: F401
