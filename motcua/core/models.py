from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.core.constants import CalendarOverrideKind


class CalendarOverride(models.Model):
    """An administrator's decision about one date that wins over the holiday rules.

    Used for the yearly official day swaps (a Saturday worked to bridge a holiday) and for
    extra days off the government announces.
    """

    date = models.DateField(_("ngày"), unique=True)
    kind = models.CharField(_("loại"), max_length=16, choices=CalendarOverrideKind.choices)
    reason = models.CharField(_("lý do"), max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người tạo"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("thời điểm tạo"), auto_now_add=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("ngày điều chỉnh lịch làm việc")
        verbose_name_plural = _("lịch làm việc điều chỉnh")

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} – {self.get_kind_display()}"


class AuditEvent(models.Model):
    """One privileged action. Insert-only and hash-chained: each row hashes the previous one.

    The newest event is the chain's head; there is no separate head row to keep in step. Database
    triggers refuse UPDATE, DELETE and TRUNCATE, the runtime database role may only INSERT and
    SELECT here (`db_grant_runtime_role`), and signed anchors outside the database
    (`motcua.core.audit_anchors`) catch what an owner or superuser could still do.
    `audit_verify_chain` names the first row whose hash no longer matches its content, its
    predecessor or an anchor.
    """

    created_at = models.DateTimeField(_("thời điểm"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(_("người thực hiện (tên)"), max_length=255)
    action = models.CharField(_("hành động"), max_length=100, db_index=True)
    object_type = models.CharField(_("loại đối tượng"), max_length=100)
    object_id = models.CharField(_("mã đối tượng"), max_length=100)
    object_repr = models.CharField(_("đối tượng"), max_length=255)
    summary = models.JSONField(_("tóm tắt"), default=dict)
    # Unique: two writers that chained onto the same predecessor (a fork) cannot both commit.
    previous_hash = models.CharField(_("hash trước"), max_length=64, unique=True)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name = _("sự kiện nhật ký")
        verbose_name_plural = _("nhật ký hệ thống")

    def __str__(self) -> str:
        return f"{self.created_at:%d/%m/%Y %H:%M} {self.actor_label}: {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk is not None:
            raise RuntimeError("Audit events are insert-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("Audit events are insert-only.")


class WorkerHeartbeat(models.Model):
    """Last sign of life of each task worker, read by /healthz."""

    worker_id = models.CharField(max_length=100, unique=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    last_seen = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.last_seen:%H:%M:%S})"
