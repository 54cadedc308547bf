from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "motcua.payments"
    label = "payments"
    verbose_name = _("Thu phí, lệ phí")

    def ready(self) -> None:
        # Gateways register themselves when their module is imported.
        from motcua.events.services import subscriber
        from motcua.payments import demo_gateway, national_platform, vnpay  # noqa: F401
        from motcua.payments.refunds import REFUND_EVENTS, refund_on_dossier_end

        subscriber(*REFUND_EVENTS)(refund_on_dossier_end)
