"""The collections report as an Excel workbook: the report's figures, then the receipts and the
refunds behind them, amounts as numbers formatted in đồng (so totals can be recomputed)."""

import io
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.dossiers.records import EXCEL_ILLEGAL
from motcua.payments.collections import Collections, CollectionsRow
from motcua.payments.models import ReceiptLine, Refund

DONG = '#,##0 "đ"'
SUMMARY_SHEET = "Tổng hợp"
RECEIPTS_SHEET = "Biên lai"
REFUNDS_SHEET = "Hoàn trả"


def collections_xlsx(
    *, report: Collections, receipts: QuerySet[Any], refunds: QuerySet[Refund], province_wide: bool
) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.worksheet import Worksheet

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    zone = timezone.get_current_timezone()

    def sheet_with(title: str, headers: list[str], widths: Iterable[float]) -> Worksheet:
        sheet: Worksheet = workbook.create_sheet(title=title)
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
        sheet.append([bold_cell(sheet, header) for header in headers])
        return sheet

    def bold_cell(sheet: Worksheet, value: Any) -> Any:
        cell = WriteOnlyCell(sheet, value=value)
        cell.font = bold
        return cell

    def money(sheet: Worksheet, value: int, *, strong: bool = False) -> Any:
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DONG
        if strong:
            cell.font = bold
        return cell

    def text(sheet: Worksheet, value: str) -> Any:
        # Characters XML cannot hold would abort the file; typed text is never a formula.
        cell = WriteOnlyCell(sheet, value=EXCEL_ILLEGAL.sub("", value))
        cell.data_type = "s"
        return cell

    def local(sheet: Worksheet, instant: Any) -> Any:
        # Excel has no time zones: the Vietnam wall-clock time, as finance reads it.
        cell = WriteOnlyCell(sheet, value=instant.astimezone(zone).replace(tzinfo=None) if instant else None)
        cell.number_format = "dd/mm/yyyy hh:mm"
        return cell

    kinds = [str(label) for _kind, label in report.kinds]
    methods = [str(label) for _method, label in report.methods]
    headers = [
        str(_("Cơ quan thu")),
        str(_("Số biên lai")),
        *kinds,
        str(_("Tổng thu")),
        *methods,
        str(_("Số lượt hoàn")),
        str(_("Đã hoàn trả")),
        str(_("Thực thu")),
    ]
    summary = sheet_with(SUMMARY_SHEET, headers, [40, 12, *[16] * len(kinds), 18, *[22] * len(methods), 12, 16, 18])

    def summary_row(row: CollectionsRow, name: str, strong: bool = False) -> list[Any]:
        return [
            bold_cell(summary, name) if strong else text(summary, name),
            row.collected.count,
            *[money(summary, figure.amount, strong=strong) for figure in row.kinds],
            money(summary, row.collected.amount, strong=strong),
            *[money(summary, figure.amount, strong=strong) for figure in row.methods],
            row.refunded.count,
            money(summary, row.refunded.amount, strong=strong),
            money(summary, row.net, strong=strong),
        ]

    for row in report.rows:
        assert row.agency is not None
        summary.append(summary_row(row, row.agency.name))
    total_name = _("Toàn tỉnh") if province_wide else _("Tổng cộng")
    summary.append(summary_row(report.total, str(total_name), strong=True))
    summary.append([])
    summary.append(
        [
            _("Kỳ báo cáo: từ %(start)s đến %(end)s (giờ Việt Nam).")
            % {"start": report.period.start.strftime("%d/%m/%Y"), "end": report.period.end.strftime("%d/%m/%Y")}
        ]
    )

    receipt_sheet = sheet_with(
        RECEIPTS_SHEET,
        [
            str(_("Ký hiệu mẫu")),
            str(_("Ký hiệu")),
            str(_("Số biên lai")),
            str(_("Ngày thu")),
            str(_("Cơ quan thu")),
            str(_("Mã hồ sơ")),
            str(_("Người nộp")),
            str(_("Hình thức thu")),
            *kinds,
            str(_("Số tiền")),
        ],
        [12, 12, 12, 18, 36, 24, 28, 30, *[14] * len(kinds), 16],
    )
    by_kind: dict[int, dict[str, int]] = {}
    lines = ReceiptLine.objects.filter(receipt__in=receipts.order_by().values("pk"))
    for receipt_id, kind, amount in lines.values_list("receipt_id", "kind", "amount"):
        by_kind.setdefault(receipt_id, {}).setdefault(kind, 0)
        by_kind[receipt_id][kind] += amount
    for receipt in receipts.iterator(chunk_size=500):
        receipt_sheet.append(
            [
                receipt.series.template_code,
                receipt.series.symbol,
                f"{receipt.number:07d}",
                local(receipt_sheet, receipt.payment.paid_at),
                text(receipt_sheet, receipt.agency.name),
                receipt.dossier.code or "",
                text(receipt_sheet, receipt.payer_name),
                str(receipt.get_method_display()),
                *[money(receipt_sheet, by_kind.get(receipt.pk, {}).get(kind, 0)) for kind, _label in report.kinds],
                money(receipt_sheet, receipt.collected or 0),
            ]
        )

    refund_sheet = sheet_with(
        REFUNDS_SHEET,
        [
            str(_("Ngày hoàn")),
            str(_("Cơ quan thu")),
            str(_("Mã hồ sơ")),
            str(_("Mã giao dịch")),
            str(_("Hình thức thu")),
            str(_("Lý do")),
            str(_("Số tiền")),
        ],
        [18, 36, 24, 20, 30, 40, 16],
    )
    for refund in refunds.iterator(chunk_size=500):
        payment = refund.payment
        refund_sheet.append(
            [
                local(refund_sheet, refund.done_at),
                text(refund_sheet, payment.dossier.agency.name),
                payment.dossier.code or "",
                payment.reference,
                str(payment.get_method_display()),
                text(refund_sheet, refund.reason),
                money(refund_sheet, refund.amount),
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
