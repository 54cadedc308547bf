from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "motcua.exchange"
    label = "exchange"
    verbose_name = _("Trao đổi dữ liệu liên thông")

    def ready(self) -> None:
        # Registers the RESULT_ISSUED subscriber and the "lgsp" population plugin.
        from motcua.exchange import population, pushes  # noqa: F401
