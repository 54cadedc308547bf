from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from motcua.catalog.constants import VersionStatus
from motcua.catalog.models import DossierComponent, Fee, Field, Procedure, ProcedureVersion
from motcua.catalog.services import procedure_version_clone, procedure_version_publish
from motcua.core.errors import ApplicationError


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin[Field]):
    list_display = ["code", "name", "managing_agency"]
    search_fields = ["code", "name"]


class VersionInline(admin.TabularInline[ProcedureVersion, Procedure]):
    model = ProcedureVersion
    fields = ("number", "status", "published_at", "name", "processing_time", "processing_time_unit")
    readonly_fields = fields

    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin[Procedure]):
    list_display = ["code", "name", "field", "level", "online_level", "is_active"]
    list_filter = ["level", "online_level", "field", "is_active"]
    search_fields = ["code", "name", "name_folded"]
    readonly_fields = ("code", "name", "field", "level", "online_level", "managing_agency", "current_version")
    fields = (*readonly_fields, "is_active")
    inlines = [VersionInline]
    actions = ["create_draft"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # procedures come from the national database through the catalogue import

    @admin.action(description=_("Tạo phiên bản nháp mới từ phiên bản đang áp dụng"))
    def create_draft(self, request: HttpRequest, queryset: QuerySet[Procedure]) -> None:
        for procedure in queryset:
            try:
                draft = procedure_version_clone(actor=request.user, procedure=procedure)
                self.message_user(request, _("Đã tạo %(v)s.") % {"v": draft})
            except ApplicationError as error:
                self.message_user(request, f"{procedure.code}: {error.message}", messages.ERROR)


class DraftOnlyInline:
    extra = 0

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None or obj.is_editable

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None or obj.is_editable

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None or obj.is_editable


class FeeInline(DraftOnlyInline, admin.TabularInline[Fee, ProcedureVersion]):
    model = Fee


class ComponentInline(DraftOnlyInline, admin.StackedInline[DossierComponent, ProcedureVersion]):
    model = DossierComponent


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(admin.ModelAdmin[ProcedureVersion]):
    """Published versions are read-only; administrators edit a draft and then publish it."""

    list_display = ["procedure", "number", "status", "published_at", "name"]
    list_filter = ["status", "level", "online_level"]
    search_fields = ["procedure__code", "name"]
    readonly_fields = ["procedure", "number", "status", "published_at"]
    exclude = ["content_hash"]
    inlines = [ComponentInline, FeeInline]
    actions = ["publish"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ProcedureVersion | None = None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or obj.is_editable)

    def has_delete_permission(self, request: HttpRequest, obj: ProcedureVersion | None = None) -> bool:
        return super().has_delete_permission(request, obj) and (obj is None or obj.status == VersionStatus.DRAFT)

    @admin.action(description=_("Áp dụng các phiên bản nháp đã chọn"))
    def publish(self, request: HttpRequest, queryset: QuerySet[ProcedureVersion]) -> None:
        for version in queryset:
            try:
                procedure_version_publish(actor=request.user, version=version)
                self.message_user(request, _("Đã áp dụng %(v)s.") % {"v": version})
            except ApplicationError as error:
                self.message_user(request, f"{version}: {error.message}", messages.ERROR)
