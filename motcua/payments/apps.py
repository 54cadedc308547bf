from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "motcua.payments"
    label = "payments"
    verbose_name = _("Thu phí, lệ phí")

    def ready(self) -> None:
        # Gateways register themselves when their module is imported.
        from motcua.payments import demo_gateway, national_platform, vnpay  # noqa: F401
