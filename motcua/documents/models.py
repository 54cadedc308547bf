from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StoredDocument(models.Model):
    """A paper in a citizen's electronic data store (kho dữ liệu), offered for reuse."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stored_documents")
    title = models.CharField(_("tên giấy tờ"), max_length=255)
    # Folded title, matched against dossier component names to offer the paper again.
    title_folded = models.CharField(max_length=255, db_index=True)
    file = models.FileField(upload_to="store/%Y/%m/")
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    source_dossier = models.ForeignKey(
        "dossiers.Dossier", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("giấy tờ trong kho dữ liệu")
        verbose_name_plural = _("kho dữ liệu công dân")

    def __str__(self) -> str:
        return self.title
