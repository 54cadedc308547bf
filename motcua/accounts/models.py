from django.contrib.auth.models import AbstractUser
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """Every person who logs in: staff now, citizens when the portal accounts arrive."""

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def get_full_name(self) -> str:
        # Vietnamese order: family and middle names (last_name) before the given name.
        return f"{self.last_name} {self.first_name}".strip()
