from django.contrib import admin

from motcua.core.read_only_admin import ReadOnlyAdmin
from motcua.events.models import DomainEvent


@admin.register(DomainEvent)
class DomainEventAdmin(ReadOnlyAdmin):
    """Read-only: the stream is insert-only, written by the services."""

    list_display = ("occurred_at", "dossier", "seq", "kind", "actor_label")
    list_filter = ("kind",)
    search_fields = ("dossier__code",)
    raw_id_fields = ("dossier", "actor")
    list_select_related = ("dossier",)
