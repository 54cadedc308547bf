from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.exchange.constants import ExchangeOutcome, ExchangePurpose, ExchangeService, PushStatus, SubjectKind


class ExchangeLog(models.Model):
    """One exchange with another agency's system: who asked, for which dossier, why, what came back.

    Insert-only (the admin is read-only; services only create). It never holds a personal value:
    the subject is kept as a keyed digest (so the citizen's own entries can be found) and a
    masked form for people reading the log, and the answer as the names of the fields it had.
    """

    at = models.DateTimeField(_("thời điểm"), default=timezone.now, db_index=True)
    service = models.CharField(_("dịch vụ"), max_length=40, choices=ExchangeService.choices)
    # The officer who asked; empty for a process (the result push) or the citizen's own pre-fill.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người yêu cầu"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # As shown to the citizen, kept as it was then: "Cán bộ tiếp nhận (một cửa)", "Hệ thống"…
    actor_role = models.CharField(_("vai trò người yêu cầu"), max_length=100)
    actor_agency = models.CharField(_("cơ quan yêu cầu"), max_length=255, blank=True)
    dossier = models.ForeignKey(
        "dossiers.Dossier", verbose_name=_("hồ sơ"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField(_("mục đích"), max_length=32, choices=ExchangePurpose.choices)
    subject_kind = models.CharField(_("đối tượng"), max_length=16, choices=SubjectKind.choices)
    subject_digest = models.CharField(max_length=64, db_index=True, editable=False)
    subject_masked = models.CharField(_("mã định danh (che)"), max_length=20)
    # The account the data is about, when known then (the applicant, the citizen pre-filling).
    subject_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(_("kết quả"), max_length=16, choices=ExchangeOutcome.choices)
    error_code = models.CharField(_("mã lỗi"), max_length=40, blank=True)
    # Names of the fields the answer carried (["full_name", "father", …]), never their values.
    response_fields = models.JSONField(_("trường dữ liệu nhận được"), default=list, blank=True)
    duration_ms = models.PositiveIntegerField(_("thời gian (ms)"), default=0)

    class Meta:
        verbose_name = _("nhật ký trao đổi dữ liệu")
        verbose_name_plural = _("nhật ký trao đổi dữ liệu")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.service} {self.outcome}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("The exchange log is insert-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError("The exchange log is insert-only.")


class ResultPush(models.Model):
    """A dossier's result waiting to reach a sector system (civil status, residence): the outbox.

    Written in the transaction that issued the result; delivered after commit and retried with
    backoff until the sector system confirms it. The idempotency key goes with every attempt, so
    a retry after a lost answer is recognised by the receiver instead of recorded twice.
    """

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.PROTECT, related_name="+")
    service = models.CharField(_("dịch vụ"), max_length=40, choices=ExchangeService.choices)
    idempotency_key = models.CharField(_("khóa chống trùng"), max_length=120, unique=True)
    payload = models.JSONField(_("nội dung"), default=dict)
    status = models.CharField(_("trạng thái"), max_length=16, choices=PushStatus.choices, default=PushStatus.PENDING)
    attempts = models.PositiveIntegerField(_("số lần gửi"), default=0)
    next_attempt_at = models.DateTimeField(_("gửi lại lúc"), default=timezone.now, db_index=True)
    # A claim: another dispatcher leaves the row alone until then (a crashed one's claim lapses).
    locked_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(_("lỗi gần nhất"), max_length=255, blank=True)
    remote_reference = models.CharField(_("số tiếp nhận bên nhận"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("đã gửi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("kết quả chờ gửi hệ thống chuyên ngành")
        verbose_name_plural = _("kết quả chờ gửi hệ thống chuyên ngành")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.idempotency_key
