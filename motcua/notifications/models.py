import hashlib

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.notifications.constants import (
    InboundOutcome,
    NotificationChannel,
    NotificationEvent,
    OutboxAttachment,
    OutboxStatus,
    WebhookKind,
)


class DemoSmsMessage(models.Model):
    """A text message the "demo" SMS plugin pretended to send.

    The embedded demo has no SMS provider: messages land here so the citizen can read their
    code on the "Hộp thư SMS mô phỏng" page. Never used by the real adapters.
    """

    phone = models.CharField(_("số điện thoại"), max_length=15)
    text = models.TextField(_("nội dung"))
    created_at = models.DateTimeField(_("thời điểm gửi"), default=timezone.now)
    # The sender's de-duplication key, as a real provider keeps it: the outbox retries a message
    # with the same key, and the demo inbox must not show it twice either.
    client_ref = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        verbose_name = _("tin nhắn SMS mô phỏng")
        verbose_name_plural = _("tin nhắn SMS mô phỏng")
        indexes = [models.Index(fields=["phone", "-created_at"], name="demosms_phone_created")]

    def __str__(self) -> str:
        # No phone number here: __str__ ends up in admin logs and audit summaries.
        return f"SMS #{self.pk}"


class NotificationTemplate(models.Model):
    """The wording of one event on one channel, edited by administrators.

    `subject` and `body` are Django templates over the names in constants.TEMPLATE_VARIABLES,
    checked when saved (templating.notification_template_check). A Zalo message is a ZNS
    template approved by Zalo beforehand: we send its id and the value of each parameter
    (`zns_params`: parameter name → template text); `body` is then only a preview for staff.
    """

    event = models.CharField(_("sự kiện"), max_length=32, choices=NotificationEvent.choices)
    channel = models.CharField(_("kênh"), max_length=8, choices=NotificationChannel.choices)
    is_active = models.BooleanField(
        _("đang dùng"), default=True, help_text=_("Bỏ chọn để không gửi thông báo này qua kênh này.")
    )
    subject = models.CharField(_("tiêu đề thư"), max_length=255, blank=True)
    body = models.TextField(_("nội dung"), blank=True)
    zns_template_id = models.CharField(_("mã mẫu ZNS"), max_length=64, blank=True)
    zns_params = models.JSONField(_("tham số mẫu ZNS"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("mẫu thông báo")
        verbose_name_plural = _("mẫu thông báo")
        ordering = ["event", "channel"]
        constraints = [models.UniqueConstraint(fields=["event", "channel"], name="notificationtemplate_unique")]

    def __str__(self) -> str:
        return f"{self.get_event_display()} – {self.get_channel_display()}"

    def clean(self) -> None:
        from motcua.notifications.templating import notification_template_errors

        errors = notification_template_errors(
            channel=self.channel,
            subject=self.subject,
            body=self.body,
            zns_template_id=self.zns_template_id,
            zns_params=self.zns_params,
        )
        if errors:
            raise ValidationError(errors)


class OutboxMessage(models.Model):
    """One message to one person on one channel: written in the transaction of the event it
    tells about, sent after commit by the dispatcher (outbox.py), never lost, never sent twice.

    `idempotency_key` names the message ("<dossier>:<event>:<channel>:<ref>"), so recording the
    same event twice yields one row; `provider_ref`, derived from it, is what the providers
    de-duplicate on (SMS client_ref, Zalo tracking_id, the e-mail Message-ID).
    """

    channel = models.CharField(_("kênh"), max_length=8, choices=NotificationChannel.choices)
    event = models.CharField(_("sự kiện"), max_length=32, choices=NotificationEvent.choices)
    template = models.ForeignKey(
        NotificationTemplate, verbose_name=_("mẫu"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("hồ sơ"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )
    # A phone number (national form) or an e-mail address: personal data, never logged unmasked.
    recipient = models.CharField(_("người nhận"), max_length=254)
    subject = models.CharField(_("tiêu đề"), max_length=255, blank=True)
    body = models.TextField(_("nội dung"), blank=True)
    zns_template_id = models.CharField(_("mã mẫu ZNS"), max_length=64, blank=True)
    zns_params = models.JSONField(_("tham số mẫu ZNS"), default=dict, blank=True)
    # A file the e-mail carries, rendered from the dossier when sent: the row names it, never holds it.
    attachment = models.CharField(_("tệp đính kèm"), max_length=32, choices=OutboxAttachment.choices, blank=True)
    # The stored attachment's name in the default storage (attachment "stored").
    attachment_file = models.CharField(_("tệp lưu trữ"), max_length=255, blank=True)
    sms_encoding = models.CharField(_("bảng mã SMS"), max_length=8, blank=True)
    sms_segments = models.PositiveSmallIntegerField(_("số tin SMS"), null=True, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    next_attempt_at = models.DateTimeField(_("gửi lúc"), default=timezone.now)
    # While status is "sending": the worker that claimed the row owns it until then. A worker
    # that dies mid-send leaves the row "sending"; once the lease runs out it is sent again.
    locked_until = models.DateTimeField(_("giữ đến"), null=True, blank=True)
    idempotency_key = models.CharField(_("khóa chống trùng"), max_length=200, unique=True)
    provider_ref = models.CharField(_("mã tham chiếu gửi nhà cung cấp"), max_length=64, db_index=True)
    provider_id = models.CharField(_("mã tin của nhà cung cấp"), max_length=255, blank=True)
    # Bumped when an administrator re-sends a message the provider had taken: a new provider_ref,
    # or the provider would drop the new attempt as a duplicate of the old one.
    resend_count = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(_("lỗi gần nhất"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("đến người nhận lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo gửi đi")
        verbose_name_plural = _("thông báo gửi đi")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_status_due"),
            models.Index(fields=["channel", "recipient", "status"], name="outbox_line"),
            models.Index(fields=["channel", "provider_id"], name="outbox_provider_id"),
        ]

    def __str__(self) -> str:
        # No recipient: __str__ reaches admin logs and audit summaries.
        return f"{self.get_channel_display()} #{self.pk} ({self.get_event_display()})"

    @staticmethod
    def reference_for(idempotency_key: str, resend_count: int = 0) -> str:
        """Opaque and stable: providers see neither our ids nor the event, only this."""
        seed = idempotency_key if not resend_count else f"{idempotency_key}#resend{resend_count}"
        return "mc-" + hashlib.sha256(seed.encode()).hexdigest()[:32]


class OutboxChannelPause(models.Model):
    """A channel whose provider is down, paused for every dispatcher (a circuit breaker).

    While `paused_until` is ahead, no dispatcher tries the channel's messages (they keep their
    attempts and wait); the first pass after it tries one message, which closes the breaker or
    pauses the channel again, twice as long (outbox.py).
    """

    channel = models.CharField(_("kênh"), max_length=8, choices=NotificationChannel.choices, unique=True)
    # Trips in a row without a message going through; the pause doubles with each.
    trips = models.PositiveIntegerField(_("số lần tạm dừng liên tiếp"), default=0)
    paused_until = models.DateTimeField(_("tạm dừng đến"), null=True, blank=True)
    reason = models.CharField(_("lý do"), max_length=255, blank=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("kênh tạm dừng gửi")
        verbose_name_plural = _("kênh tạm dừng gửi")
        ordering = ["channel"]

    def __str__(self) -> str:
        return str(self.get_channel_display())


class WebhookEvent(models.Model):
    """A provider's webhook call we accepted, kept so a replay of the same event is refused."""

    channel = models.CharField(_("kênh"), max_length=8, choices=NotificationChannel.choices)
    kind = models.CharField(_("loại"), max_length=10, choices=WebhookKind.choices)
    event_id = models.CharField(_("mã sự kiện"), max_length=128)
    received_at = models.DateTimeField(_("nhận lúc"), default=timezone.now)
    outcome = models.CharField(_("kết quả"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("sự kiện webhook")
        verbose_name_plural = _("sự kiện webhook")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "kind", "event_id"], name="webhookevent_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.kind} {self.event_id}"


class InboundMessage(models.Model):
    """A text someone sent to the province's SMS number or Zalo account, and how we answered."""

    channel = models.CharField(_("kênh"), max_length=8, choices=NotificationChannel.choices)
    provider_message_id = models.CharField(_("mã tin của nhà cung cấp"), max_length=128)
    # Whoever wrote: not necessarily the applicant, so nothing personal goes back to them.
    sender = models.CharField(_("người gửi"), max_length=32)
    text = models.CharField(_("nội dung"), max_length=500, blank=True)
    outcome = models.CharField(_("xử lý"), max_length=16, choices=InboundOutcome.choices)
    dossier = models.ForeignKey("dossiers.Dossier", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reply = models.ForeignKey(OutboxMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    received_at = models.DateTimeField(_("nhận lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("tin nhắn đến")
        verbose_name_plural = _("tin nhắn đến")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "provider_message_id"], name="inboundmessage_unique"),
        ]
        indexes = [models.Index(fields=["channel", "sender", "received_at"], name="inbound_sender")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} #{self.pk}"


class ZaloOaToken(models.Model):
    """The current tokens of the province's Zalo Official Account (OA), one row per Zalo app.

    Kept in the database, not in settings: an access token lives 25 hours, and each refresh
    hands back a new refresh token and retires the old one, so the pair changes under the
    running processes. The "http" Zalo plugin refreshes it (zalo.ZaloOaTokens); administrators
    only enter a new refresh token when Zalo refused the stored one. Token values are secrets:
    never logged, shown masked in the admin.
    """

    app_id = models.CharField(_("mã ứng dụng Zalo (app id)"), max_length=64, unique=True)
    access_token = models.TextField(_("access token"), blank=True)
    access_token_expires_at = models.DateTimeField(_("access token hết hạn lúc"), null=True, blank=True)
    refresh_token = models.TextField(_("refresh token"), blank=True)
    # When we got the current refresh token (a refresh, or an administrator): it lives about
    # three months from then. Unknown for the first one, taken from the settings.
    refresh_token_issued_at = models.DateTimeField(_("refresh token nhận lúc"), null=True, blank=True)
    refreshed_at = models.DateTimeField(_("làm mới gần nhất lúc"), null=True, blank=True)
    # Set when Zalo refused the stored refresh token: it is not sent again until an
    # administrator enters another one.
    refresh_rejected_at = models.DateTimeField(_("refresh token bị từ chối lúc"), null=True, blank=True)
    last_error = models.CharField(_("lỗi làm mới gần nhất"), max_length=255, blank=True)
    last_error_at = models.DateTimeField(_("lỗi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("token Zalo OA")
        verbose_name_plural = _("token Zalo OA")
        ordering = ["app_id"]

    def __str__(self) -> str:
        # The app id is not a secret; the tokens are, and __str__ reaches admin logs.
        return f"Zalo OA {self.app_id}"
