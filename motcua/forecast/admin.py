from django.contrib import admin

from motcua.forecast.models import CounterNorm


@admin.register(CounterNorm)
class CounterNormAdmin(admin.ModelAdmin[CounterNorm]):
    list_display = ["procedure", "minutes_per_dossier"]
    autocomplete_fields = ["procedure"]
    search_fields = ["procedure__code", "procedure__name"]
