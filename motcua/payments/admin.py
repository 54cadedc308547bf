"""Payments in the admin: agencies declare their receipt series here; everything else is read
only (money records are changed by the services, never by hand, and never deleted)."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from motcua.core.read_only_admin import ReadOnlyAdmin
from motcua.payments.models import (
    Payment,
    PaymentNotice,
    Receipt,
    ReceiptLine,
    ReceiptSeries,
    ReconciliationFinding,
    ReconciliationRun,
    Refund,
)


class ReceiptSeriesForm(forms.ModelForm):
    class Meta:
        model = ReceiptSeries
        fields = ["agency", "name", "template_code", "symbol", "active"]

    def clean_agency(self) -> Any:
        agency = self.cleaned_data["agency"]
        if agency is not None and not agency.tax_code:
            raise forms.ValidationError(_("Cơ quan chưa có mã số thuế; hãy khai báo mã số thuế trước."))
        return agency


@admin.register(ReceiptSeries)
class ReceiptSeriesAdmin(admin.ModelAdmin[ReceiptSeries]):
    form = ReceiptSeriesForm
    list_display = ["agency", "name", "template_code", "symbol", "next_number", "active"]
    list_filter = ["active"]
    search_fields = ["agency__name", "symbol"]
    autocomplete_fields = ["agency"]
    # The next number moves only under the series' lock when a receipt is issued (no gaps).
    readonly_fields = ["next_number"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReceiptLineInline(admin.TabularInline[ReceiptLine, Receipt]):
    model = ReceiptLine
    extra = 0
    can_delete = False
    fields = readonly_fields = ("kind", "name", "quantity", "unit_amount", "amount")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "agency", "dossier", "amount", "method", "issued_at", "status"]
    list_filter = ["status", "method"]
    search_fields = ["dossier__code", "agency__name"]
    inlines = [ReceiptLineInline]
    exclude = ["token"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["reference", "dossier", "method", "gateway", "amount", "status", "paid_at"]
    list_filter = ["status", "method", "gateway"]
    search_fields = ["reference", "dossier__code", "transaction_no"]


@admin.register(PaymentNotice)
class PaymentNoticeAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "gateway", "source", "reference", "verdict"]
    list_filter = ["gateway", "source", "verdict"]
    search_fields = ["reference"]


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["payment", "amount", "method", "status", "requested_at", "done_at"]
    list_filter = ["status", "method"]


@admin.register(ReconciliationRun)
class ReconciliationRunAdmin(ReadOnlyAdmin):
    list_display = ["gateway", "day", "matched", "ran_at"]


@admin.register(ReconciliationFinding)
class ReconciliationFindingAdmin(ReadOnlyAdmin):
    list_display = ["reference", "kind", "run", "resolved_at"]
    list_filter = ["kind"]
