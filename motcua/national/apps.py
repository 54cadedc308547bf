from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NationalConfig(AppConfig):
    name = "motcua.national"
    label = "national"
    verbose_name = _("Đồng bộ Cổng Dịch vụ công quốc gia")

    def ready(self) -> None:
        # Every domain event a dossier records goes to the national portal's outbox.
        from motcua.events.services import subscriber
        from motcua.national.services import sync_item_record

        subscriber()(sync_item_record)
