"""Written by the sync services only; administrators look and use the actions."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from motcua.core.read_only_admin import ReadOnlyAdmin
from motcua.national.constants import InboundStatus
from motcua.national.models import InboundRecord, ReconciliationFinding, ReconciliationRun, SyncItem
from motcua.national.services import inbound_retry, sync_items_retry


@admin.register(SyncItem)
class SyncItemAdmin(ReadOnlyAdmin):
    list_display = ("idempotency_key", "dossier", "seq", "kind", "status", "attempts", "next_attempt_at", "last_error")
    list_filter = ("status", "kind")
    search_fields = ("dossier__code", "idempotency_key")
    raw_id_fields = ("dossier", "event")
    list_select_related = ("dossier",)
    actions = ["retry"]

    @admin.action(description=_("Gửi lại ngay các bản ghi lỗi hoặc tạm giữ đã chọn"))
    def retry(self, request: HttpRequest, queryset: QuerySet[SyncItem]) -> None:
        count = sync_items_retry(items=queryset, actor=request.user)
        self.message_user(
            request, ngettext("%d bản ghi sẽ được gửi lại.", "%d bản ghi sẽ được gửi lại.", count) % count
        )


@admin.register(InboundRecord)
class InboundRecordAdmin(ReadOnlyAdmin):
    list_display = (
        "portal_id",
        "status",
        "reason",
        "paper_problems",
        "dossier",
        "deliveries",
        "received_at",
        "acknowledged_at",
    )
    list_filter = ("status", "reason_code")
    search_fields = ("portal_id", "dossier__code")
    raw_id_fields = ("dossier",)
    actions = ["retry"]

    @admin.action(description=_("Thử nhận lại các hồ sơ tạm giữ đã chọn"))
    def retry(self, request: HttpRequest, queryset: QuerySet[InboundRecord]) -> None:
        for record in queryset.filter(status__in=[InboundStatus.PARKED, InboundStatus.WAITING]):
            retried = inbound_retry(record=record, actor=request.user)
            if retried.status == InboundStatus.ACCEPTED:
                self.message_user(
                    request,
                    _("Đã nhận %(id)s thành hồ sơ %(code)s.") % {"id": retried.portal_id, "code": retried.dossier},
                )
            else:
                self.message_user(
                    request,
                    _("%(id)s vẫn tạm giữ: %(reason)s") % {"id": retried.portal_id, "reason": retried.reason},
                    messages.WARNING,
                )


class FindingInline(admin.TabularInline):
    model = ReconciliationFinding
    fields = ("dossier_code", "kind", "ours", "theirs", "repaired", "detail")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ReconciliationRun)
class ReconciliationRunAdmin(ReadOnlyAdmin):
    list_display = ("day", "checked", "repaired", "unresolved", "error", "finished_at")
    inlines = [FindingInline]

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # Deleting a day's run lets the reconciliation run again that day.
        return bool(request.user.is_superuser)
