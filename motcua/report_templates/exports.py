"""A report table as the file a leader receives: an Excel workbook (numbers as numbers, so
totals can be recomputed) or a PDF in the template's orientation."""

import io

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from motcua.documents.pdf import render_pdf
from motcua.dossiers.records import EXCEL_ILLEGAL
from motcua.report_templates.constants import FileFormat
from motcua.report_templates.models import ReportTemplate
from motcua.report_templates.tables import ReportTable

MIMETYPES = {
    FileFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileFormat.PDF: "application/pdf",
}


def period_text(table: ReportTable) -> str:
    return _("Từ ngày %(start)s đến ngày %(end)s") % {
        "start": date_format(table.start, "d/m/Y"),
        "end": date_format(table.end, "d/m/Y"),
    }


def _xlsx(table: ReportTable, footnote: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.worksheet import Worksheet

    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)  # a new workbook's one sheet
    sheet.title = _("Báo cáo")[:31]
    width = len(table.columns) + 1
    bold = Font(bold=True)
    for line, text in enumerate((table.title, table.scope, period_text(table)), start=1):
        sheet.cell(row=line, column=1, value=EXCEL_ILLEGAL.sub("", text)).font = Font(bold=line == 1, size=14 - line)
        sheet.merge_cells(start_row=line, start_column=1, end_row=line, end_column=width)
        sheet.cell(row=line, column=1).alignment = Alignment(horizontal="center")
    header = 5
    for column, label in enumerate([table.group_label, *table.columns], start=1):
        cell = sheet.cell(row=header, column=column, value=str(label))
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        sheet.column_dimensions[get_column_letter(column)].width = 40 if column == 1 else 16
    for offset, (name, values) in enumerate(table.rows, start=1):
        sheet.cell(row=header + offset, column=1, value=EXCEL_ILLEGAL.sub("", name)).data_type = "s"
        for column, value in enumerate(values, start=2):
            sheet.cell(row=header + offset, column=column, value=value)
    total_row = header + len(table.rows) + 1
    sheet.cell(row=total_row, column=1, value=_("Tổng cộng")).font = bold
    for column, value in enumerate(table.totals, start=2):
        sheet.cell(row=total_row, column=column, value=value).font = bold
    if footnote:
        sheet.cell(row=total_row + 2, column=1, value=EXCEL_ILLEGAL.sub("", footnote))
    sheet.freeze_panes = f"B{header + 1}"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def report_file(template: ReportTemplate, table: ReportTable) -> tuple[str, bytes, str]:
    """(file name, content, MIME type) of `table` in the template's format."""
    name = f"bao-cao-{template.pk}-{table.start:%Y%m%d}-{table.end:%Y%m%d}.{template.file_format}"
    if template.file_format == FileFormat.PDF:
        content = render_pdf(
            template="report_templates/report.html",
            context={"table": table, "period": period_text(table), "template": template},
        )
    else:
        content = _xlsx(table, template.footnote)
    return name, content, MIMETYPES[FileFormat(template.file_format)]
