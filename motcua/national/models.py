from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.events.constants import EventKind
from motcua.national.constants import FindingKind, InboundStatus, SyncStatus


class SyncItem(models.Model):
    """One domain event of a dossier on its way to the national portal (the outbox).

    Written in the transaction of the change (motcua.national.services.sync_item_record), with
    the record as the portal will get it: a retry sends the very same body under the same
    idempotency key, so the portal keeps one copy however often it arrives. A record that could
    not be built is parked with an empty body and built when it is sent again.
    """

    event = models.OneToOneField(
        "events.DomainEvent", verbose_name=_("sự kiện hồ sơ"), on_delete=models.PROTECT, related_name="+"
    )
    dossier = models.ForeignKey("dossiers.Dossier", verbose_name=_("hồ sơ"), on_delete=models.PROTECT, related_name="+")
    seq = models.PositiveIntegerField(_("thứ tự trong hồ sơ"))
    kind = models.CharField(_("sự kiện"), max_length=32, choices=EventKind.choices)
    idempotency_key = models.CharField(_("khóa đồng bộ"), max_length=64, unique=True)
    body = models.JSONField(_("bản ghi gửi đi"))
    status = models.CharField(_("trạng thái"), max_length=10, choices=SyncStatus.choices, default=SyncStatus.PENDING)
    attempts = models.PositiveIntegerField(_("số lần gửi"), default=0)
    next_attempt_at = models.DateTimeField(_("gửi lần tới lúc"))
    # While "sending": the claim's end, after which another worker may send it again.
    locked_until = models.DateTimeField(_("đang gửi đến"), null=True, blank=True)
    last_error = models.CharField(_("lỗi gần nhất"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("ghi nhận lúc"), auto_now_add=True)
    sent_at = models.DateTimeField(_("đồng bộ lúc"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("bản ghi đồng bộ đi")
        verbose_name_plural = _("bản ghi đồng bộ đi")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["dossier", "seq"]),
        ]

    def __str__(self) -> str:
        return self.idempotency_key


class InboundRecord(models.Model):
    """A dossier the national portal delivered: accepted as a dossier, or parked with its reason.

    Keyed by the portal's own dossier id, so the same dossier delivered twice is one row and
    one dossier; a record without an id is keyed by its content's digest.
    """

    portal_id = models.CharField(_("mã hồ sơ trên Cổng quốc gia"), max_length=80, unique=True)
    status = models.CharField(_("trạng thái"), max_length=10, choices=InboundStatus.choices)
    reason = models.TextField(_("lý do tạm giữ"), blank=True)
    reason_code = models.CharField(_("mã lý do"), max_length=40, blank=True)
    body = models.JSONField(_("bản ghi nhận được"))
    dossier = models.OneToOneField(
        "dossiers.Dossier",
        verbose_name=_("hồ sơ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="national_inbound",
    )
    deliveries = models.PositiveIntegerField(_("số lần Cổng quốc gia gửi"), default=1)
    # Submitted papers not attached to the dossier, each {"name", "component", "code", "reason"}:
    # shown to the reception officer on the dossier page and to administrators here.
    paper_problems = models.JSONField(_("giấy tờ không nhận được"), default=list, blank=True)
    received_at = models.DateTimeField(_("nhận lần đầu lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)
    acknowledged_at = models.DateTimeField(_("đã báo lại Cổng quốc gia lúc"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("hồ sơ nhận từ Cổng quốc gia")
        verbose_name_plural = _("hồ sơ nhận từ Cổng quốc gia")

    def __str__(self) -> str:
        return self.portal_id


class ReconciliationRun(models.Model):
    """The daily comparison with the portal, one per day whoever runs it."""

    day = models.DateField(_("ngày đối soát"), unique=True)
    started_at = models.DateTimeField(_("bắt đầu"), auto_now_add=True)
    finished_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)
    checked = models.PositiveIntegerField(_("số hồ sơ đối soát"), default=0)
    repaired = models.PositiveIntegerField(_("đã tự sửa"), default=0)
    unresolved = models.PositiveIntegerField(_("cần xử lý"), default=0)
    error = models.CharField(_("lỗi"), max_length=500, blank=True)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("lần đối soát")
        verbose_name_plural = _("lần đối soát")

    def __str__(self) -> str:
        return str(self.day)


class ReconciliationFinding(models.Model):
    run = models.ForeignKey(
        ReconciliationRun, verbose_name=_("lần đối soát"), on_delete=models.CASCADE, related_name="findings"
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier", verbose_name=_("hồ sơ"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    dossier_code = models.CharField(_("mã hồ sơ"), max_length=40)
    kind = models.CharField(_("chênh lệch"), max_length=20, choices=FindingKind.choices)
    ours = models.CharField(_("hệ thống tỉnh"), max_length=100, blank=True)
    theirs = models.CharField(_("Cổng quốc gia"), max_length=100, blank=True)
    repaired = models.BooleanField(_("đã tự sửa"), default=False)
    detail = models.CharField(_("ghi chú"), max_length=500, blank=True)

    class Meta:
        ordering = ["run", "dossier_code"]
        verbose_name = _("chênh lệch đối soát")
        verbose_name_plural = _("chênh lệch đối soát")

    def __str__(self) -> str:
        return f"{self.dossier_code}: {self.kind}"
