from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from motcua.core.errors import ApplicationError
from motcua.core.models import AuditEvent, CalendarOverride
from motcua.core.workdays import calendar_override_check, calendar_override_delete, calendar_override_set


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    """The trail can be read and searched, never changed."""

    list_display = ["created_at", "actor_label", "action", "object_type", "object_repr"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_label", "action", "object_repr", "object_id"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CalendarOverrideForm(forms.ModelForm[CalendarOverride]):
    class Meta:
        model = CalendarOverride
        fields = ["date", "kind", "reason"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("date") and cleaned.get("kind"):
            try:
                calendar_override_check(date=cleaned["date"], kind=cleaned["kind"])
            except ApplicationError as error:
                raise ValidationError(error.message) from error
        return cleaned


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin[CalendarOverride]):
    """Every write goes through the calendar services, which refuse past dates and audit."""

    form = CalendarOverrideForm
    list_display = ["date", "kind", "reason", "created_by"]
    list_filter = ["kind"]
    date_hierarchy = "date"

    def save_model(self, request: HttpRequest, obj: CalendarOverride, form: Any, change: bool) -> None:
        calendar_override_set(actor=request.user, date=obj.date, kind=obj.kind, reason=obj.reason)

    def delete_model(self, request: HttpRequest, obj: CalendarOverride) -> None:
        try:
            calendar_override_delete(actor=request.user, date=obj.date)
        except ApplicationError as error:
            self.message_user(request, error.message, messages.ERROR)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)
