from django.contrib import admin
from django.http import HttpRequest

from motcua.events.models import DomainEvent


@admin.register(DomainEvent)
class DomainEventAdmin(admin.ModelAdmin):
    """Read-only: the stream is insert-only, written by the services."""

    list_display = ("occurred_at", "dossier", "seq", "kind", "actor_label")
    list_filter = ("kind",)
    search_fields = ("dossier__code",)
    raw_id_fields = ("dossier", "actor")
    list_select_related = ("dossier",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
