"""Read-only lists of hand-overs and shipments for support staff: they are evidence, written
only by the delivery services (and later a carrier adapter), never edited here. The identity
paper's number is shown masked."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from motcua.core.read_only_admin import ReadOnlyAdmin
from motcua.delivery.models import HandOver, Shipment, ShipmentEvent


@admin.register(HandOver)
class HandOverAdmin(ReadOnlyAdmin):
    list_display = ["dossier", "recipient_name", "recipient_kind", "id_paper_kind", "masked_number", "handed_at"]
    list_filter = ["recipient_kind", "id_paper_kind"]
    search_fields = ["dossier__code"]
    fields = readonly_fields = (
        "dossier",
        "recipient_kind",
        "recipient_name",
        "authorisation",
        "id_paper_kind",
        "masked_number",
        "officer",
        "handed_at",
        "note",
    )

    @admin.display(description=_("số giấy tờ tùy thân"))
    def masked_number(self, obj: HandOver) -> str:
        return obj.id_paper_masked


class ShipmentEventInline(admin.TabularInline[ShipmentEvent, Shipment]):
    model = ShipmentEvent
    fields = readonly_fields = ("kind", "occurred_at", "description", "recorded_by")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Shipment)
class ShipmentAdmin(ReadOnlyAdmin):
    list_display = ["dossier", "carrier", "tracking_number", "status", "sent_on", "delivered_at"]
    list_filter = ["status", "carrier"]
    search_fields = ["dossier__code", "tracking_number"]
    inlines = [ShipmentEventInline]
