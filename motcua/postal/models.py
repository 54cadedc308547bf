"""Papers a post office received for citizens, handed over to a one-stop unit (docs/postal.md).

A hand-over record (biên bản bàn giao hồ sơ) is numbered without gaps per post office and year,
never deleted, and confirmed once by the receiving unit with the papers it counted.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PaperHandOver(models.Model):
    """One batch of dossiers a post office hands to one agency's one-stop unit."""

    post_office = models.ForeignKey(
        "directory.PostOffice", verbose_name=_("bưu cục"), on_delete=models.PROTECT, related_name="hand_overs"
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    number = models.PositiveIntegerField(_("số biên bản"))
    agency = models.ForeignKey(
        "directory.Agency", verbose_name=_("cơ quan nhận"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("lập lúc"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Names as printed on the record: they stay what was signed if the account is renamed.
    clerk_name = models.CharField(_("nhân viên bưu điện"), max_length=200)
    confirmed_at = models.DateTimeField(_("xác nhận lúc"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    receiver_name = models.CharField(_("cán bộ tiếp nhận"), max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("biên bản bàn giao hồ sơ")
        verbose_name_plural = _("biên bản bàn giao hồ sơ")
        constraints = [
            models.UniqueConstraint(fields=["post_office", "year", "number"], name="paperhandover_unique_number")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"{self.number:03d}/{self.year}/BBBG-{self.post_office.code}"


class PaperHandOverItem(models.Model):
    """A dossier in a record: the papers sent, and those the unit counted on receipt."""

    record = models.ForeignKey(PaperHandOver, on_delete=models.PROTECT, related_name="items")
    # A dossier's papers travel once: a second record (or a second click) cannot take it again.
    dossier = models.OneToOneField("dossiers.Dossier", on_delete=models.PROTECT, related_name="paper_hand_over")
    # One paper per file the clerk scanned in; of which originals (bản chính) as the catalogue asks.
    papers_sent = models.PositiveIntegerField(_("số giấy tờ bàn giao"))
    originals = models.PositiveIntegerField(_("trong đó bản chính"), default=0)
    papers_received = models.PositiveIntegerField(_("số giấy tờ nhận"), null=True, blank=True)
    discrepancy = models.CharField(_("sai lệch"), max_length=500, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("hồ sơ trong biên bản bàn giao")
        verbose_name_plural = _("hồ sơ trong biên bản bàn giao")

    def __str__(self) -> str:
        return f"{self.record_id}: {self.dossier_id}"
