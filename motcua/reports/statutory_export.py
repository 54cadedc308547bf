"""The statutory report as the files an office files: an Excel workbook and a PDF, both in the
form's layout (title, period, unit, two header rows with merged group cells, the agencies with
their fields nested, the total, and the signature block)."""

import io
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.documents.pdf import render_pdf
from motcua.dossiers.records import EXCEL_ILLEGAL
from motcua.reports.statutory import COLUMN_GROUPS, COLUMNS, StatutoryReport

TITLE = "Báo cáo tình hình, kết quả giải quyết thủ tục hành chính"


def report_context(*, report: StatutoryReport, unit: str) -> dict[str, Any]:
    """What the page, the workbook and the PDF show around the figures."""
    return {
        "report": report,
        "unit": unit,
        "columns": COLUMNS,
        "column_groups": COLUMN_GROUPS,
        "title": _(TITLE),
        "made_on": timezone.localdate(),
    }


def statutory_xlsx(*, report: StatutoryReport, unit: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Báo cáo")
    width = 1 + len(COLUMNS)
    bold = Font(bold=True)
    centred = Alignment(horizontal="center", vertical="center", wrap_text=True)
    thin = Side(style="thin")
    boxed = Border(left=thin, right=thin, top=thin, bottom=thin)

    def banner(row: int, text: str, *, font: Font = bold) -> None:
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        cell = sheet.cell(row=row, column=1, value=text)
        cell.font, cell.alignment = font, centred

    banner(1, unit.upper())
    banner(2, _(TITLE).upper())
    banner(
        3,
        _("Kỳ báo cáo: từ ngày %(start)s đến ngày %(end)s")
        % {"start": report.period.start.strftime("%d/%m/%Y"), "end": report.period.end.strftime("%d/%m/%Y")},
        font=Font(italic=True),
    )
    # Header: the unit column spans both rows, each group spans its columns.
    top, sub = 5, 6
    sheet.merge_cells(start_row=top, start_column=1, end_row=sub, end_column=1)
    sheet.cell(row=top, column=1, value=_("Cơ quan, lĩnh vực"))
    column = 2
    for label, span in COLUMN_GROUPS:
        sheet.merge_cells(start_row=top, start_column=column, end_row=top, end_column=column + span - 1)
        sheet.cell(row=top, column=column, value=str(label))
        column += span
    for index, spec in enumerate(COLUMNS, start=2):
        sheet.cell(row=sub, column=index, value=str(spec.label))
    for row in sheet.iter_rows(min_row=top, max_row=sub, max_col=width):
        for cell in row:
            cell.font, cell.alignment, cell.border = bold, centred, boxed
    lines = [
        line
        for agency in report.agencies
        for line in [(agency.name, agency.values, True), *(("    " + f.name, f.values, False) for f in agency.fields)]
    ]
    lines.append((report.total.name, report.total.values, True))
    for current, (name, values, strong) in enumerate(lines, start=sub + 1):
        # Typed names are text, never a formula; characters XML cannot hold would abort the file.
        sheet.cell(row=current, column=1, value=EXCEL_ILLEGAL.sub("", name)).data_type = "s"
        for index, value in enumerate(values, start=2):
            sheet.cell(row=current, column=index, value=value)
        for cell in sheet[current][:width]:
            cell.border, cell.font = boxed, Font(bold=strong)
    current = sub + len(lines)
    signed = current + 2
    made_on = timezone.localdate()
    sheet.cell(
        row=signed,
        column=width - 3,
        value=_("Ngày %(d)s tháng %(m)s năm %(y)s")
        % {"d": f"{made_on.day:02d}", "m": f"{made_on.month:02d}", "y": made_on.year},
    ).font = Font(italic=True)
    sheet.cell(row=signed + 1, column=2, value=_("Người lập biểu")).font = bold
    sheet.cell(row=signed + 1, column=width - 3, value=_("Thủ trưởng đơn vị")).font = bold
    sheet.cell(row=signed + 2, column=2, value=_("(Ký, ghi rõ họ tên)")).font = Font(italic=True)
    sheet.cell(row=signed + 2, column=width - 3, value=_("(Ký tên, đóng dấu)")).font = Font(italic=True)
    sheet.column_dimensions["A"].width = 42
    for index in range(2, width + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 12
    sheet.freeze_panes = f"B{sub + 1}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def statutory_pdf(*, report: StatutoryReport, unit: str) -> bytes:
    return render_pdf(template="reports/statutory_pdf.html", context=report_context(report=report, unit=unit))
