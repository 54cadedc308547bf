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


def _verification_code() -> str:
    # 15 random bytes → 20 URL-safe characters: unguessable, short enough for a QR code.
    import secrets

    return secrets.token_urlsafe(15)


class IssuedDocument(models.Model):
    """A signed result issued to a citizen, verifiable by anyone through its QR code.

    Decree 30/2020/NĐ-CP: the leader signs first (`signed_by_name`, `signed_at`), with the
    number left blank; the clerk then numbers it from the register under `symbol`, dates it
    and adds the agency's signature (`number`, `issued_at`). Until then it is not issued:
    `number` is empty, `issued_at` null, and the verification page does not know it.
    """

    verification_code = models.CharField(max_length=32, unique=True, default=_verification_code, editable=False)
    title = models.CharField(_("tên văn bản"), max_length=255)
    number = models.CharField(_("số, ký hiệu"), max_length=60, blank=True)
    # The register's symbol the clerk numbers it under ("TLKS" → "12/TLKS").
    symbol = models.CharField(_("ký hiệu"), max_length=40, blank=True)
    issued_at = models.DateTimeField(_("thời điểm ban hành"), null=True, blank=True)
    issuer_agency = models.ForeignKey(
        "directory.Agency", verbose_name=_("cơ quan ban hành"), on_delete=models.PROTECT, related_name="+"
    )
    signed_by_name = models.CharField(_("người ký"), max_length=255)
    signed_at = models.DateTimeField(_("thời điểm ký"))
    file = models.FileField(upload_to="issued/%Y/%m/")
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    # PAdES B-LTA: when the certificate of the TSA that made the file's last archive time stamp
    # expires (null: not known yet); the stamp is renewed before (documents.tasks). A renewal
    # appends to the file: the digests it had before, so copies handed out then still match.
    archive_timestamp_expires_at = models.DateTimeField(null=True, blank=True)
    earlier_sha256 = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    dossier = models.ForeignKey("dossiers.Dossier", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("văn bản kết quả đã cấp")
        verbose_name_plural = _("văn bản kết quả đã cấp")

    def __str__(self) -> str:
        return f"{self.number} – {self.title}"


class DocumentNumberSequence(models.Model):
    """The clerk's register of outgoing results: the last number per agency, year and symbol."""

    agency = models.ForeignKey("directory.Agency", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    symbol = models.CharField(max_length=40)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "year", "symbol"], name="documentnumbersequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.year} {self.symbol}: {self.last}"
