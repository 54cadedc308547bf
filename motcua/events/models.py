from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.events.constants import EventKind


class DomainEvent(models.Model):
    """One thing that happened to a dossier, written in the transaction that made it happen.

    Insert-only. `seq` numbers a dossier's events 1, 2, 3… in the order they committed (the
    dossier row is locked while one is written), so a consumer can apply them in order and spot
    a gap. The payload is small and JSON: codes and ids, never personal data beyond what the
    consumers must forward (they read the rest from the dossier).
    """

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField(_("thứ tự trong hồ sơ"))
    kind = models.CharField(_("sự kiện"), max_length=32, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Who acted, as shown: an officer's name, "Hệ thống", or an outside system's name.
    actor_label = models.CharField(_("người thực hiện"), max_length=200, blank=True)
    payload = models.JSONField(_("nội dung"), default=dict, blank=True)
    occurred_at = models.DateTimeField(_("thời điểm"), db_index=True)

    class Meta:
        verbose_name = _("sự kiện hồ sơ")
        verbose_name_plural = _("sự kiện hồ sơ")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["dossier", "seq"], name="events_dossier_seq_unique")]

    def __str__(self) -> str:
        return f"{self.dossier_id}#{self.seq} {self.kind}"
