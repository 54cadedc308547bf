from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "motcua.notifications"
    label = "notifications"
    verbose_name = _("Thông báo")

    def ready(self) -> None:
        # Subscribes the applicant's messages to the dossiers' domain events.
        from motcua.notifications import consumers  # noqa: F401
