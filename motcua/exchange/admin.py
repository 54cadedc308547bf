"""Written by the services only: the log is insert-only, the outbox is the dispatcher's."""

from django.contrib import admin

from motcua.core.read_only_admin import ReadOnlyAdmin
from motcua.exchange.models import ExchangeLog, ResultPush


@admin.register(ExchangeLog)
class ExchangeLogAdmin(ReadOnlyAdmin):
    list_display = ("at", "service", "actor_role", "actor_agency", "dossier", "purpose", "subject_masked", "outcome")
    list_filter = ("service", "purpose", "outcome")
    search_fields = ("dossier__code", "actor__username")
    raw_id_fields = ("actor", "dossier", "subject_user")
    list_select_related = ("dossier",)
    date_hierarchy = "at"


@admin.register(ResultPush)
class ResultPushAdmin(ReadOnlyAdmin):
    list_display = ("idempotency_key", "service", "status", "attempts", "next_attempt_at", "last_error", "delivered_at")
    list_filter = ("service", "status")
    search_fields = ("idempotency_key", "dossier__code")
    # The payload names the applicant: shown to administrators only on the row itself.
    raw_id_fields = ("dossier",)
