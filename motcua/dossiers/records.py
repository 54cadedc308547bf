"""The one-stop records produced from dossiers' histories: the control sheet and the register.

The control sheet (phiếu kiểm soát quá trình giải quyết hồ sơ, form 05 of Circular
01/2018/TT-VPCP, 06 of Circular 03/2025/TT-VPCP) follows one dossier from hand to hand: each
hand-over of the file between steps, and each opinion asked of another agency and its answer,
with how the giving step did against its deadline. The register (sổ theo dõi hồ sơ, form 06 /
07) lists many dossiers, one line each, for the one-stop unit's books. Both are built only from
what the workflow recorded (`DossierStep`, the dossier's instants), so they never disagree with
it. Early / on time / late come from `deadlines.py`.
"""

import datetime
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from motcua.catalog.constants import StepKind
from motcua.directory.addresses import address_text
from motcua.directory.models import AdministrativeUnit
from motcua.documents.pdf import render_pdf
from motcua.dossiers.constants import DossierStatus, Outcome, SlipKind, StepStatus, Timeliness
from motcua.dossiers.deadlines import dossier_timeliness, step_timeliness, timeliness_from_facts, with_timeliness_facts
from motcua.dossiers.models import Dossier, DossierStep
from motcua.dossiers.slips import CONTROL_SHEET, REGISTER, applicant_name, form_set_for, form_set_for_dossier

NOBODY = "—"
NOTE_LIMIT = 500
FINISHED = (StepStatus.DONE, StepStatus.RETURNED)
# Steps are written by separate statements of one transaction; the next step may start a hair
# before the previous one is stamped finished. Within this slack they count as one instant.
SLACK = datetime.timedelta(seconds=1)


def local_time_text(instant: datetime.datetime | None) -> str:
    """ "09 giờ 05 phút, ngày 07/01/2026" in Asia/Ho_Chi_Minh, as the forms print times."""
    if instant is None:
        return ""
    local = timezone.localtime(instant)
    return _("%(hour)s giờ %(minute)s phút, ngày %(day)s") % {
        "hour": f"{local:%H}",
        "minute": f"{local:%M}",
        "day": f"{local:%d/%m/%Y}",
    }


@dataclass(frozen=True)
class ControlRow:
    """One hand-over of the file: who gave it, who received it, when, and how the giver did.

    `result` is the giving step's timeliness; None when the giver was not a finished step
    (an opinion being asked: the asking step is still running).
    """

    at: datetime.datetime
    step_name: str
    giver_agency: str
    giver_unit: str
    giver_officer: str
    receiver_agency: str
    receiver_unit: str
    receiver_officer: str
    result: Timeliness | None
    note: str

    @property
    def result_label(self) -> str:
        return str(self.result.label) if self.result else ""

    @property
    def at_text(self) -> str:
        return local_time_text(self.at)

    @property
    def giver(self) -> str:
        return _place(self.giver_agency, self.giver_unit)

    @property
    def receiver(self) -> str:
        return _place(self.receiver_agency, self.receiver_unit)


def _place(agency: str, unit: str) -> str:
    return f"{agency} – {unit}" if unit else agency


def _officer(user: Any) -> str:
    if user is None:
        return NOBODY
    return str(user.get_full_name() or user.get_username())


def _unit(step: DossierStep) -> str:
    return step.org_unit.name if step.org_unit is not None else ""


def _trimmed(text: str) -> str:
    return Truncator(text.strip()).chars(NOTE_LIMIT)


def _step_note(step: DossierStep) -> str:
    note = _trimmed(step.note)
    if step.status == StepStatus.RETURNED:
        return _("Trả lại: %(note)s") % {"note": note} if note else _("Trả lại")
    return note


def _dossier_steps(dossier: Dossier) -> list[DossierStep]:
    return list(
        dossier.steps.select_related("agency", "org_unit", "assignee", "finished_by").order_by("started_at", "id")
    )


def _receivers(giver: DossierStep, main: list[DossierStep]) -> list[DossierStep]:
    """The steps that took the file when `giver` finished: the first to start after it.

    Parallel steps started together all receive it; a sibling started with the giver does not.
    """
    assert giver.finished_at is not None
    later = [
        step
        for step in main
        if step.pk != giver.pk and step.started_at > giver.started_at and step.started_at >= giver.finished_at - SLACK
    ]
    if not later:
        return []
    first = min(step.started_at for step in later)
    return [step for step in later if step.started_at - first <= SLACK]


def _handed_over(step: DossierStep, *, receiver_agency: str, receiver_unit: str, receiver_officer: str) -> ControlRow:
    """The file leaving a finished step, marked by how that step did against its deadline."""
    assert step.finished_at is not None
    return ControlRow(
        at=step.finished_at,
        step_name=step.name,
        giver_agency=step.agency.name,
        giver_unit=_unit(step),
        giver_officer=_officer(step.finished_by),
        receiver_agency=receiver_agency,
        receiver_unit=receiver_unit,
        receiver_officer=receiver_officer,
        result=step_timeliness(step),
        note=_step_note(step),
    )


def _rows(*, dossier: Dossier, steps: list[DossierStep]) -> list[ControlRow]:
    by_id = {step.pk: step for step in steps}
    main = [step for step in steps if step.requested_by_step_id is None]
    rows: list[ControlRow] = []
    for step in main:
        if step.status not in FINISHED or step.finished_at is None:
            continue
        receivers = _receivers(step, main)
        for receiver in receivers:
            rows.append(
                _handed_over(
                    step,
                    receiver_agency=receiver.agency.name,
                    receiver_unit=_unit(receiver),
                    receiver_officer=_officer(receiver.assignee),
                )
            )
        if not receivers:
            # The last hand-over of a finished journey is the result given to the applicant.
            to_applicant = step.kind == StepKind.RETURN and step.status == StepStatus.DONE
            rows.append(
                _handed_over(
                    step,
                    receiver_agency=_("Tổ chức, cá nhân") if to_applicant else NOBODY,
                    receiver_unit="",
                    receiver_officer=applicant_name(dossier) if to_applicant else NOBODY,
                )
            )
    for consultation in steps:
        if consultation.requested_by_step_id is None:
            continue
        asker = by_id.get(consultation.requested_by_step_id) or consultation.requested_by_step
        assert asker is not None
        question = _trimmed(consultation.question)
        rows.append(
            ControlRow(
                at=consultation.started_at,
                step_name=consultation.name,
                giver_agency=asker.agency.name,
                giver_unit=_unit(asker),
                giver_officer=_officer(asker.assignee),
                receiver_agency=consultation.agency.name,
                receiver_unit=_unit(consultation),
                receiver_officer=_officer(consultation.assignee),
                result=None,
                note=_("Xin ý kiến: %(question)s") % {"question": question} if question else _("Xin ý kiến"),
            )
        )
        if consultation.status in FINISHED and consultation.finished_at is not None:
            rows.append(
                _handed_over(
                    consultation,
                    receiver_agency=asker.agency.name,
                    receiver_unit=_unit(asker),
                    receiver_officer=_officer(asker.assignee),
                )
            )
    # Stable: rows at the same instant keep the order above (the main route first).
    rows.sort(key=lambda row: row.at)
    return rows


def control_sheet_rows(*, dossier: Dossier) -> list[ControlRow]:
    """The hand-overs of a dossier's file in time order, for the control sheet."""
    return _rows(dossier=dossier, steps=_dossier_steps(dossier))


def _distinct(labels: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(label for label in labels if label))


def control_sheet_pdf(*, dossier: Dossier) -> bytes:
    """The control sheet of one dossier as a PDF, in the form set of its reception date."""
    steps = _dossier_steps(dossier)
    main = [step for step in steps if step.requested_by_step_id is None]
    form_set = form_set_for_dossier(dossier)
    # The agency (unit) settling the dossier: whoever holds its processing steps.
    settling = _distinct(_place(step.agency.name, _unit(step)) for step in main if step.kind == StepKind.PROCESS)
    consulted = _distinct(step.agency.name for step in steps if step.requested_by_step_id is not None)
    timeliness = dossier_timeliness(dossier) if dossier.processed_at else None
    context = {
        "dossier": dossier,
        "version": dossier.procedure_version,
        "form_set": form_set,
        "form_number": form_set.numbers[CONTROL_SHEET],
        "form_title": form_set.title(CONTROL_SHEET),
        "applicant_name": applicant_name(dossier),
        "settling_agencies": "; ".join(settling) or dossier.agency.name,
        "consulted_agencies": "; ".join(consulted) or NOBODY,
        "rows": _rows(dossier=dossier, steps=steps),
        "received_text": local_time_text(dossier.received_at),
        "due_text": local_time_text(dossier.due_at),
        "processed_text": local_time_text(dossier.processed_at),
        "returned_text": local_time_text(dossier.returned_at),
        "timeliness": timeliness.label if timeliness else "",
        "printed_text": local_time_text(timezone.now()),
    }
    return render_pdf(template="documents/control_sheet.html", context=context)


# --- The register -------------------------------------------------------------------------

# The control characters an XLSX cell cannot hold (as openpyxl's ILLEGAL_CHARACTERS_RE).
EXCEL_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
RECEIVE_GROUP = "receive"
RESULT_GROUP = "result"


@dataclass(frozen=True)
class RegisterColumn:
    key: str
    header: str
    width: float
    group: str | None = None
    is_instant: bool = False


def register_columns() -> list[RegisterColumn]:
    """The columns of the form, in order (built per call so the headers follow the language)."""
    return [
        RegisterColumn("number", _("STT"), 6),
        RegisterColumn("code", _("Mã hồ sơ"), 26),
        RegisterColumn("procedure", _("Tên thủ tục hành chính"), 42),
        RegisterColumn("copies", _("Số lượng hồ sơ (bộ)"), 10),
        RegisterColumn("applicant", _("Tên cá nhân, tổ chức"), 26),
        RegisterColumn("contact", _("Địa chỉ, số điện thoại"), 38),
        RegisterColumn("lead_agency", _("Cơ quan chủ trì giải quyết"), 30),
        RegisterColumn("received_at", _("Ngày, tháng, năm"), 17, RECEIVE_GROUP, is_instant=True),
        RegisterColumn("due_at", _("Hẹn trả kết quả"), 17, RECEIVE_GROUP, is_instant=True),
        RegisterColumn("transferred_at", _("Chuyển hồ sơ đến cơ quan giải quyết"), 19, RECEIVE_GROUP, is_instant=True),
        RegisterColumn("processed_at", _("Có kết quả"), 17, RESULT_GROUP, is_instant=True),
        RegisterColumn("returned_at", _("Trả kết quả cho cá nhân, tổ chức"), 19, RESULT_GROUP, is_instant=True),
        RegisterColumn("result", _("Trước hạn/Đúng hạn/Quá hạn"), 14, RESULT_GROUP),
        RegisterColumn("note", _("Ghi chú"), 32),
    ]


def register_groups() -> dict[str, str]:
    return {RECEIVE_GROUP: _("Nhận và chuyển hồ sơ"), RESULT_GROUP: _("Kết quả giải quyết hồ sơ")}


def _register_values(dossiers: QuerySet[Dossier]) -> QuerySet[Dossier, dict[str, Any]]:
    """One query for the whole register: plain values, no model instances (10 000 lines)."""
    first_processing = DossierStep.objects.filter(
        dossier=OuterRef("pk"), kind=StepKind.PROCESS, requested_by_step__isnull=True
    ).order_by("started_at", "id")
    return (
        with_timeliness_facts(dossiers.order_by("received_at", "id"))
        .annotate(
            lead_agency=Subquery(first_processing.values("agency__name")[:1]),
            transferred_at=Subquery(first_processing.values("started_at")[:1]),
        )
        .values(
            "code",
            "status",
            "outcome",
            "returned_note",
            "delivery_address",
            "received_at",
            "due_at",
            "processed_at",
            "returned_at",
            "apologised",
            "pause_count",
            "lead_agency",
            "transferred_at",
            "procedure_version__name",
            "agency__name",
            "representation__organisation_name",
            "applicant__username",
            "applicant__first_name",
            "applicant__last_name",
            "applicant__citizen__full_name",
            "applicant__citizen__phone",
            "applicant__citizen__address_detail",
            "applicant__citizen__address_unit__code",
        )
    )


def _register_applicant(line: dict[str, Any]) -> str:
    # As slips.applicant_name: the citizen profile's name, else the account's (Vietnamese order,
    # as User.get_full_name), else the login.
    name = (
        line["applicant__citizen__full_name"]
        or f"{line['applicant__last_name']} {line['applicant__first_name']}".strip()
        or line["applicant__username"]
    )
    organisation = line["representation__organisation_name"]
    return f"{organisation} ({name})" if organisation else name


def _register_contact(line: dict[str, Any], units: dict[str, AdministrativeUnit]) -> str:
    home = {
        "unit": line["applicant__citizen__address_unit__code"],
        "detail": line["applicant__citizen__address_detail"],
    }
    address = address_text(home, units=units) or line["delivery_address"]
    phone = line["applicant__citizen__phone"]
    if not phone:
        return str(address)
    phone_text = _("ĐT: %(phone)s") % {"phone": phone}
    return f"{address}; {phone_text}" if address else phone_text


def _register_note(line: dict[str, Any], labels: dict[str, str]) -> str:
    notes: list[str] = []
    if line["outcome"] == Outcome.REFUSED:
        notes.append(labels[Outcome.REFUSED])
    if line["apologised"]:
        notes.append(labels[SlipKind.APOLOGY])
    if line["processed_at"] is None:
        notes.append(labels.get(line["status"], line["status"]))
    if line["returned_note"]:
        notes.append(line["returned_note"])
    return "; ".join(notes)


def register_rows(*, dossiers: QuerySet[Dossier]) -> list[dict[str, Any]]:
    """One line per dossier of the register, in order of reception.

    Instants are aware; `timeliness` is the Timeliness (or None) and `result` its label. The
    caller scopes `dossiers`; everything comes from one query, streamed in chunks.
    """
    labels = {str(value): str(label) for value, label in DossierStatus.choices}
    labels[Outcome.REFUSED] = str(Outcome.REFUSED.label)
    labels[SlipKind.APOLOGY] = _("Có văn bản xin lỗi, hẹn lại ngày trả kết quả")
    result_labels = {value: str(value.label) for value in Timeliness}
    rows: list[dict[str, Any]] = []
    units: dict[str, AdministrativeUnit] = {}  # filled as lines name them: one query per ward
    for number, line in enumerate(_register_values(dossiers).iterator(chunk_size=2000), start=1):
        timeliness = timeliness_from_facts(
            processed_at=line["processed_at"],
            due_at=line["due_at"],
            apologised=line["apologised"],
            pause_count=line["pause_count"],
        )
        rows.append(
            {
                "number": number,
                "code": line["code"] or "",
                "procedure": line["procedure_version__name"],
                "copies": 1,
                "applicant": _register_applicant(line),
                "contact": _register_contact(line, units),
                # The agency leading the settlement: the one of the first processing step.
                "lead_agency": line["lead_agency"] or line["agency__name"],
                "received_at": line["received_at"],
                "due_at": line["due_at"],
                "transferred_at": line["transferred_at"],
                "processed_at": line["processed_at"],
                "returned_at": line["returned_at"],
                "timeliness": timeliness,
                "result": result_labels[timeliness] if timeliness else "",
                "note": _register_note(line, labels),
            }
        )
    return rows


def _excel_text(value: str) -> str:
    # Characters XML cannot hold (control characters pasted into a note) would abort the file.
    return EXCEL_ILLEGAL.sub("", value)


def register_xlsx(*, dossiers: QuerySet[Dossier], title: str) -> bytes:
    """The register as an Excel workbook, streamed row by row (write-only mode)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties
    from openpyxl.worksheet.worksheet import Worksheet

    rows = register_rows(dossiers=dossiers)
    columns = register_columns()
    received = [row["received_at"] for row in rows if row["received_at"]]
    # A register covers a period: it follows the form set in force at the period's last reception.
    form_set = form_set_for(timezone.localdate(max(received)) if received else timezone.localdate())

    workbook = Workbook(write_only=True)
    sheet: Worksheet = workbook.create_sheet(title=str(_("Sổ theo dõi hồ sơ"))[:31])
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = 9  # A4 in the OOXML paper size table
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    header_top = 5
    sheet.print_title_rows = f"{header_top}:{header_top + 2}"
    sheet.freeze_panes = f"C{header_top + 3}"
    sheet.row_dimensions[2].height = 22
    sheet.row_dimensions[header_top].height = 30
    sheet.row_dimensions[header_top + 1].height = 48

    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    centred = Alignment(horizontal="center", vertical="center", wrap_text=True)
    bold = Font(bold=True)

    def cell(
        value: Any, *, font: Font | None = None, alignment: Alignment | None = None, fmt: str = "", data_type: str = ""
    ) -> Any:
        item = WriteOnlyCell(sheet, value=value)
        if data_type:
            item.data_type = data_type
        if font is not None:
            item.font = font
        if alignment is not None:
            item.alignment = alignment
        if fmt:
            item.number_format = fmt
        return item

    last = get_column_letter(len(columns))
    zone = timezone.get_current_timezone()
    sheet.append(
        [
            cell(
                _("Mẫu số %(number)s – ban hành kèm theo %(basis)s")
                % {
                    "number": form_set.numbers[REGISTER],
                    "basis": form_set.legal_basis,
                },
                font=Font(italic=True, size=10),
            )
        ]
    )
    sheet.append([cell(form_set.title(REGISTER).upper(), font=Font(bold=True, size=14), alignment=centred)])
    sheet.append([cell(_excel_text(title), font=bold, alignment=centred, data_type="s")])
    sheet.append([])
    for row_number in (2, 3):
        sheet.merged_cells.add(f"A{row_number}:{last}{row_number}")

    groups = register_groups()
    group_row: list[Any] = []
    header_row: list[Any] = []
    seen: set[str] = set()
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        if column.group is None:
            group_row.append(cell(column.header, font=bold, alignment=centred))
            header_row.append(cell(None, alignment=centred))
            sheet.merged_cells.add(f"{letter}{header_top}:{letter}{header_top + 1}")
        else:
            group_row.append(
                cell(groups[column.group] if column.group not in seen else None, font=bold, alignment=centred)
            )
            header_row.append(cell(column.header, font=bold, alignment=centred))
            if column.group not in seen:
                seen.add(column.group)
                span = [i for i, other in enumerate(columns, start=1) if other.group == column.group]
                sheet.merged_cells.add(
                    f"{get_column_letter(span[0])}{header_top}:{get_column_letter(span[-1])}{header_top}"
                )
    for item in (*group_row, *header_row):
        item.border = border
    sheet.append(group_row)
    sheet.append(header_row)
    sheet.append(
        [cell(f"({index})", alignment=centred, font=Font(italic=True, size=9)) for index in range(1, len(columns) + 1)]
    )

    for row in rows:
        values: list[Any] = []
        for column in columns:
            if column.is_instant:
                # Excel has no time zones: the local wall-clock time, as the officers read it.
                instant = row[column.key]
                local = instant.astimezone(zone).replace(tzinfo=None) if instant is not None else None
                values.append(cell(local, fmt="dd/mm/yyyy hh:mm"))
            elif isinstance(row[column.key], str):
                text = _excel_text(row[column.key])
                # Typed text is never a formula: "=HYPERLINK(…)" in a name stays a name.
                values.append(cell(text, data_type="s") if text.startswith("=") else text)
            else:
                values.append(row[column.key])
        sheet.append(values)

    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
