"""Administration of notifications: templates (checked when saved), the outbox and inbound texts.

Recipients and senders are shown masked; messages are read-only except for "Gửi lại" on dead
ones, which goes through the service (audited).
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import ApplicationError
from motcua.notifications.constants import TEMPLATE_VARIABLES, OutboxStatus
from motcua.notifications.models import InboundMessage, NotificationTemplate, OutboxMessage, WebhookEvent
from motcua.notifications.privacy import mask_recipient
from motcua.notifications.services import outbox_message_resend


class NotificationTemplateForm(forms.ModelForm[NotificationTemplate]):
    class Meta:
        model = NotificationTemplate
        fields = ["event", "channel", "is_active", "subject", "body", "zns_template_id", "zns_params"]
        widgets = {"body": forms.Textarea(attrs={"rows": 8, "cols": 100, "spellcheck": "false"})}
        help_texts = {
            "body": format_lazy(
                _(
                    "Mẫu Django, văn bản thuần. Biến được dùng: {names}. Tin SMS được bỏ dấu khi gửi qua kênh "
                    "không hỗ trợ Unicode. Với Zalo, nội dung chỉ để xem trước."
                ),
                names=", ".join("{{ " + name + " }}" for name in TEMPLATE_VARIABLES),
            ),
            "zns_params": _('Với Zalo: {"tên tham số trong mẫu ZNS": "mẫu nội dung, ví dụ {{ code }}"}.'),
        }


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(admin.ModelAdmin[NotificationTemplate]):
    form = NotificationTemplateForm
    list_display = ["event", "channel", "is_active", "subject", "updated_at"]
    list_filter = ["channel", "event", "is_active"]
    ordering = ["event", "channel"]


_OUTBOX_FIELDS: tuple[str, ...] = (
    "channel",
    "event",
    "dossier",
    "masked_recipient",
    "status",
    "attempts",
    "next_attempt_at",
    "locked_until",
    "subject",
    "body",
    "zns_template_id",
    "zns_params",
    "sms_encoding",
    "sms_segments",
    "idempotency_key",
    "provider_ref",
    "provider_id",
    "last_error",
    "created_at",
    "sent_at",
    "delivered_at",
)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin[OutboxMessage]):
    list_display = [
        "id",
        "created_at",
        "channel",
        "event",
        "masked_recipient",
        "status",
        "attempts",
        "next_attempt_at",
        "sms_segments",
        "last_error",
    ]
    list_filter = ["status", "channel", "event"]
    search_fields = ["dossier__code", "provider_id", "provider_ref"]
    ordering = ["-id"]
    actions = ["resend"]
    fields = _OUTBOX_FIELDS
    readonly_fields = _OUTBOX_FIELDS
    list_select_related = ["dossier"]

    @admin.display(description=_("người nhận"))
    def masked_recipient(self, obj: OutboxMessage) -> str:
        return mask_recipient(obj.recipient)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Gửi lại"), permissions=["change"])
    def resend(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        done = 0
        for message in queryset.filter(status=OutboxStatus.DEAD):
            try:
                outbox_message_resend(message=message, actor=request.user)
            except ApplicationError as error:
                self.message_user(request, f"#{message.pk}: {error.message}", messages.ERROR)
            else:
                done += 1
        skipped = queryset.exclude(status=OutboxStatus.DEAD).count()
        if done:
            self.message_user(request, _("Đã đưa %(n)d thông báo vào hàng đợi gửi lại.") % {"n": done})
        if skipped:
            self.message_user(
                request,
                _("Bỏ qua %(n)d thông báo không ở trạng thái “Đã ngừng gửi”.") % {"n": skipped},
                messages.WARNING,
            )


_INBOUND_FIELDS: tuple[str, ...] = (
    "channel",
    "provider_message_id",
    "masked_sender",
    "text",
    "outcome",
    "dossier",
    "reply",
    "received_at",
)


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin[InboundMessage]):
    list_display = ["id", "received_at", "channel", "masked_sender", "outcome", "dossier"]
    list_filter = ["channel", "outcome"]
    fields = _INBOUND_FIELDS
    readonly_fields = _INBOUND_FIELDS
    ordering = ["-received_at"]

    @admin.display(description=_("người gửi"))
    def masked_sender(self, obj: InboundMessage) -> str:
        return mask_recipient(obj.sender)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin[WebhookEvent]):
    list_display = ["received_at", "channel", "kind", "event_id", "outcome"]
    list_filter = ["channel", "kind"]
    readonly_fields = ["channel", "kind", "event_id", "received_at", "outcome"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
