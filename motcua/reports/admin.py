from django.contrib import admin
from django.http import HttpRequest

from motcua.reports.models import Feedback, SatisfactionRating


@admin.register(SatisfactionRating)
class SatisfactionRatingAdmin(admin.ModelAdmin):
    """Ratings are the citizens' words: readable, never editable."""

    list_display = ["dossier", "agency", "agency_level", "officer_level", "result_level", "created_at"]
    list_filter = ["agency_level", "officer_level", "result_level"]
    search_fields = ["dossier__code"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["code", "agency", "category", "status", "due_at", "answered_at"]
    list_filter = ["status", "category"]
    search_fields = ["code", "title"]
    readonly_fields = ["code", "author", "dossier", "created_at"]
