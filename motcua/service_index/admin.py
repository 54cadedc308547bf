from django.contrib import admin

from motcua.service_index.models import IndicatorPoints


@admin.register(IndicatorPoints)
class IndicatorPointsAdmin(admin.ModelAdmin):
    list_display = ["code", "points", "threshold", "source", "note"]
    list_editable = ["points", "threshold"]
    list_filter = ["source"]
