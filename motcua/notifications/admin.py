"""Administration of notifications: templates (checked when saved), the outbox and inbound texts,
and the Zalo Official Account's tokens.

Recipients and senders are shown masked; messages are read-only except for "Gửi lại" on dead
ones, which goes through the service (audited). Zalo tokens are never shown in full.
"""

import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import ApplicationError
from motcua.notifications.constants import TEMPLATE_VARIABLES, OutboxStatus
from motcua.notifications.models import (
    InboundMessage,
    NotificationTemplate,
    OutboxChannelPause,
    OutboxMessage,
    WebhookEvent,
    ZaloOaToken,
)
from motcua.notifications.privacy import mask_recipient
from motcua.notifications.services import outbox_channel_pause_lift, outbox_message_resend
from motcua.notifications.zalo import (
    REFRESH_TOKEN_LIFETIME,
    token_masked,
    zalo_refresh_token_clean,
    zalo_refresh_token_set,
)


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
    "attachment",
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


@admin.register(OutboxChannelPause)
class OutboxChannelPauseAdmin(admin.ModelAdmin[OutboxChannelPause]):
    """Channels the dispatcher paused because their provider was down; read-only, except for
    lifting a pause once the provider is known to be back."""

    list_display = ["channel", "paused_until", "trips", "reason", "updated_at"]
    fields = ("channel", "paused_until", "trips", "reason", "updated_at")
    readonly_fields = fields
    actions = ["lift"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: OutboxChannelPause | None = None) -> bool:
        return False

    @admin.action(description=_("Gửi tiếp ngay (nhà cung cấp đã hoạt động lại)"))
    def lift(self, request: HttpRequest, queryset: QuerySet[OutboxChannelPause]) -> None:
        lifted = sum(outbox_channel_pause_lift(channel=pause.channel, actor=request.user) for pause in queryset)
        self.message_user(request, _("Đã cho gửi tiếp %(n)d kênh.") % {"n": lifted})


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


class ZaloOaTokenForm(forms.ModelForm[ZaloOaToken]):
    # Never rendered back: a token typed in must not reappear in the page after an error.
    new_refresh_token = forms.CharField(
        label=_("Refresh token mới"),
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off", "size": 80}),
        help_text=_(
            "Dán refresh token của Official Account lấy từ công cụ dành cho nhà phát triển của Zalo, khi Zalo "
            "từ chối token đang lưu hoặc token đã hết hạn. Access token được làm mới ngay với tin Zalo tiếp theo."
        ),
    )

    class Meta:
        model = ZaloOaToken
        fields: list[str] = []

    def clean_new_refresh_token(self) -> str:
        try:
            return zalo_refresh_token_clean(self.cleaned_data["new_refresh_token"])
        except ApplicationError as error:
            raise ValidationError(error.message) from error


_ZALO_TOKEN_FIELDS: tuple[str, ...] = (
    "app_id",
    "state",
    "masked_access_token",
    "access_token_expires_at",
    "refreshed_at",
    "masked_refresh_token",
    "refresh_token_issued_at",
    "refresh_token_expires_about",
    "refresh_rejected_at",
    "last_error",
    "last_error_at",
)


@admin.register(ZaloOaToken)
class ZaloOaTokenAdmin(admin.ModelAdmin[ZaloOaToken]):
    """System administrators see when the OA's access token was renewed and when it expires, and
    enter a new refresh token when Zalo refused the stored one (through the audited service).
    Renewing itself is automatic (zalo.ZaloOaTokens)."""

    form = ZaloOaTokenForm
    list_display = ["app_id", "state", "access_token_expires_at", "refreshed_at", "masked_refresh_token", "last_error"]
    fields = (*_ZALO_TOKEN_FIELDS, "new_refresh_token")
    readonly_fields = _ZALO_TOKEN_FIELDS

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Adding: the app id comes from MOTCUA_ZALO_APP_ID, only the refresh token is entered.
        return self.fields if obj is not None else ("new_refresh_token",)

    @admin.display(description=_("trạng thái"))
    def state(self, obj: ZaloOaToken) -> str:
        if obj.refresh_rejected_at is not None or not obj.refresh_token:
            return str(_("Cần nhập refresh token mới"))
        if obj.last_error:
            return str(_("Làm mới lỗi, sẽ thử lại"))
        return str(_("Hoạt động"))

    @admin.display(description=_("access token"))
    def masked_access_token(self, obj: ZaloOaToken) -> str:
        return token_masked(obj.access_token)

    @admin.display(description=_("refresh token"))
    def masked_refresh_token(self, obj: ZaloOaToken) -> str:
        return token_masked(obj.refresh_token)

    @admin.display(description=_("refresh token hết hạn khoảng"))
    def refresh_token_expires_about(self, obj: ZaloOaToken) -> datetime.datetime | None:
        issued = obj.refresh_token_issued_at
        return issued + REFRESH_TOKEN_LIFETIME if issued is not None else None

    # Tokens are the OA's keys: system administrators (superusers) only.
    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)

    def has_add_permission(self, request: HttpRequest) -> bool:
        app_id = settings.MOTCUA_ZALO_APP_ID
        return (
            bool(request.user.is_superuser) and bool(app_id) and not ZaloOaToken.objects.filter(app_id=app_id).exists()
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ZaloOaToken, form: Any, change: bool) -> None:
        saved = zalo_refresh_token_set(
            actor=request.user,
            app_id=obj.app_id if change else settings.MOTCUA_ZALO_APP_ID,
            refresh_token=form.cleaned_data["new_refresh_token"],
        )
        # The admin's history entry and redirect need the saved row.
        obj.pk, obj.app_id = saved.pk, saved.app_id
