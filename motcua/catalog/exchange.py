"""The catalogue exchange format (docs/catalog-format.md): validation and Excel conversion.

Validation collects every error with its place before anything is written, so an import is
refused whole with the full list, never half-applied.
"""

import datetime
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from io import BytesIO
from typing import Any

from django.utils.translation import gettext as _

from motcua.catalog.constants import (
    FeeBasis,
    FeeChannel,
    FeeKind,
    OnlineLevel,
    PaymentTiming,
    ProcedureLevel,
    TimeUnit,
    VerificationStatus,
)
from motcua.catalog.fees import fee_rule_errors

FORMAT_ID = "motcua.catalog/1"
CODE_PATTERN = re.compile(r"^\d\.\d{6}$")
# A placeholder code the project gives a procedure whose national code it could not confirm,
# e.g. LT.BHYT.01: letters first, so it can never be mistaken for (or collide with) a national
# code. Its verification note must say it is a placeholder.
LOCAL_CODE_PATTERN = re.compile(r"^[A-Z]{2,4}\.[A-Z0-9]{2,8}\.\d{2}$")

Path = tuple[str | int, ...]


@dataclass
class CatalogError:
    path: Path
    message: str
    location: str = ""

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


@dataclass
class Checker:
    """Collects errors while checking one nested document."""

    errors: list[CatalogError] = field(default_factory=list)

    def error(self, path: Path, message: str) -> None:
        self.errors.append(CatalogError(path, message))

    def keys(self, obj: Any, path: Path, *, required: set[str], optional: set[str]) -> bool:
        if not isinstance(obj, dict):
            self.error(path, _("Phải là một đối tượng (object)."))
            return False
        for key in sorted(set(obj) - required - optional):
            self.error((*path, key), _("Trường không được hỗ trợ: “%(key)s”.") % {"key": key})
        for key in sorted(required - set(obj)):
            self.error((*path, key), _("Thiếu trường bắt buộc."))
        return True

    def text(self, obj: dict[str, Any], key: str, path: Path, *, max_length: int, required: bool = True) -> None:
        value = obj.get(key)
        if value is None:
            return
        if not isinstance(value, str):
            self.error((*path, key), _("Phải là chuỗi ký tự."))
        elif required and not value.strip():
            self.error((*path, key), _("Không được để trống."))
        elif len(value) > max_length:
            self.error((*path, key), _("Dài quá %(n)d ký tự.") % {"n": max_length})

    def choice(self, obj: dict[str, Any], key: str, path: Path, choices: list[str]) -> None:
        if key in obj and obj[key] not in choices:
            self.error(
                (*path, key),
                _("Giá trị “%(v)s” không hợp lệ; chọn một trong: %(c)s.") % {"v": obj[key], "c": ", ".join(choices)},
            )

    def integer(self, obj: dict[str, Any], key: str, path: Path) -> None:
        value = obj.get(key)
        if key in obj and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            self.error((*path, key), _("Phải là số nguyên không âm."))

    def boolean(self, obj: dict[str, Any], key: str, path: Path) -> None:
        if key in obj and not isinstance(obj[key], bool):
            self.error((*path, key), _("Phải là true hoặc false."))

    def clock_time(self, obj: dict[str, Any], key: str, path: Path) -> None:
        """A time of day such as "15:00"; null or empty means none."""
        value = obj.get(key)
        if not value:
            return
        try:
            datetime.time.fromisoformat(value.strip())
        except (AttributeError, ValueError):
            self.error((*path, key), _("Phải là giờ trong ngày, dạng 15:00."))

    def text_list(self, obj: dict[str, Any], key: str, path: Path) -> None:
        value = obj.get(key)
        if key in obj and (not isinstance(value, list) or not all(isinstance(v, str) for v in value)):
            self.error((*path, key), _("Phải là danh sách chuỗi ký tự."))

    def object_list(self, obj: dict[str, Any], key: str, path: Path, check: Callable[[Any, Path], None]) -> None:
        value = obj.get(key)
        if key not in obj:
            return
        if not isinstance(value, list):
            self.error((*path, key), _("Phải là danh sách."))
            return
        for index, item in enumerate(value):
            check(item, (*path, key, index))


PROCEDURE_REQUIRED = {
    "code",
    "name",
    "field",
    "level",
    "implementing_agency",
    "processing_time",
    "processing_time_unit",
    "online_level",
}
PROCEDURE_OPTIONAL = {
    "managing_agency",
    "applicants",
    "methods",
    "processing_time_note",
    "same_day",
    "reception_cutoff",
    "full_process_eligible",
    "paper_result_required",
    "payment_timing",
    "fees",
    "components",
    "steps",
    "conditions",
    "results",
    "legal_basis",
    "verification",
}
FEE_RULE_KEYS = {"basis", "quantity_field", "condition", "channel", "reductions"}
FEE_KEYS = {"kind", "name", "amount", "description", "exemption", *FEE_RULE_KEYS}
COMPONENT_KEYS = {"name", "original_copies", "copy_copies", "required", "template", "note"}
VERIFICATION_KEYS = {"status", "source", "note"}


def _check_fee(c: Checker, fee: Any, path: Path) -> None:
    if c.keys(fee, path, required={"kind", "name", "amount"}, optional=FEE_KEYS):
        c.choice(fee, "kind", path, FeeKind.values)
        c.text(fee, "name", path, max_length=500)
        c.integer(fee, "amount", path)
        c.text(fee, "description", path, max_length=5000, required=False)
        c.text(fee, "exemption", path, max_length=5000, required=False)
        c.choice(fee, "basis", path, FeeBasis.values)
        c.choice(fee, "channel", path, FeeChannel.values)
        c.text(fee, "quantity_field", path, max_length=64, required=False)
        # The forms come in their own file: here only the rule's shape is checked.
        for key, problems in fee_rule_errors(fee, fields=None).items():
            for problem in problems:
                c.error((*path, key), problem)


def _check_component(c: Checker, comp: Any, path: Path) -> None:
    if c.keys(comp, path, required={"name"}, optional=COMPONENT_KEYS):
        c.text(comp, "name", path, max_length=5000)
        c.integer(comp, "original_copies", path)
        c.integer(comp, "copy_copies", path)
        c.boolean(comp, "required", path)
        c.text(comp, "template", path, max_length=500, required=False)
        c.text(comp, "note", path, max_length=5000, required=False)


def _check_legal(c: Checker, item: Any, path: Path) -> None:
    if c.keys(item, path, required={"number", "title"}, optional=set()):
        c.text(item, "number", path, max_length=100)
        c.text(item, "title", path, max_length=1000, required=False)


def _check_procedure(c: Checker, proc: Any, path: Path, *, field_codes: set[str], agency_codes: set[str]) -> None:
    if not c.keys(proc, path, required=PROCEDURE_REQUIRED, optional=PROCEDURE_OPTIONAL):
        return
    code = proc.get("code")
    if "code" in proc and (
        not isinstance(code, str) or not (CODE_PATTERN.match(code) or LOCAL_CODE_PATTERN.match(code))
    ):
        c.error((*path, "code"), _("Mã thủ tục phải có dạng 1.001193 (hoặc mã tạm của dự án, dạng LT.BHYT.01)."))
    c.text(proc, "name", path, max_length=500)
    c.text(proc, "implementing_agency", path, max_length=500)
    if "field" in proc and proc["field"] not in field_codes:
        c.error((*path, "field"), _("Lĩnh vực “%(v)s” không có trong danh mục.") % {"v": proc["field"]})
    agency = proc.get("managing_agency")
    if agency and agency not in agency_codes:
        c.error((*path, "managing_agency"), _("Cơ quan “%(v)s” không có trong danh mục tổ chức.") % {"v": agency})
    c.choice(proc, "level", path, ProcedureLevel.values)
    c.choice(proc, "processing_time_unit", path, TimeUnit.values)
    c.choice(proc, "online_level", path, OnlineLevel.values)
    c.choice(proc, "payment_timing", path, PaymentTiming.values)
    if "processing_time" in proc:
        try:
            ok = not isinstance(proc["processing_time"], bool) and 0 < Decimal(str(proc["processing_time"])) < 100000
        except InvalidOperation:
            ok = False
        if not ok:
            c.error((*path, "processing_time"), _("Thời hạn giải quyết phải là số dương."))
    c.text(proc, "processing_time_note", path, max_length=5000, required=False)
    c.boolean(proc, "same_day", path)
    c.clock_time(proc, "reception_cutoff", path)
    c.text(proc, "conditions", path, max_length=20000, required=False)
    for key in ("applicants", "methods", "steps", "results"):
        c.text_list(proc, key, path)
    for key in ("full_process_eligible", "paper_result_required"):
        c.boolean(proc, key, path)
    c.object_list(proc, "fees", path, lambda item, p: _check_fee(c, item, p))
    c.object_list(proc, "components", path, lambda item, p: _check_component(c, item, p))
    c.object_list(proc, "legal_basis", path, lambda item, p: _check_legal(c, item, p))
    verification = proc.get("verification")
    if verification is not None and c.keys(
        verification, (*path, "verification"), required={"status"}, optional=VERIFICATION_KEYS
    ):
        c.choice(verification, "status", (*path, "verification"), VerificationStatus.values)


def validate_catalog(document: Any, *, known_field_codes: set[str], agency_codes: set[str]) -> list[CatalogError]:
    """Every problem in the document, each with its path; an empty list means it can be applied."""
    c = Checker()
    if not c.keys(document, (), required={"format", "procedures"}, optional={"fields"}):
        return c.errors
    if document.get("format") != FORMAT_ID:
        c.error(("format",), _("Định dạng phải là “%(f)s”.") % {"f": FORMAT_ID})
    field_codes = set(known_field_codes)
    seen_fields: set[str] = set()

    def check_field(item: Any, path: Path) -> None:
        if c.keys(item, path, required={"code", "name"}, optional={"managing_agency"}):
            c.text(item, "code", path, max_length=40)
            c.text(item, "name", path, max_length=255)
            code = item.get("code")
            if code in seen_fields:
                c.error((*path, "code"), _("Mã lĩnh vực “%(v)s” bị trùng.") % {"v": code})
            if isinstance(code, str):
                seen_fields.add(code)
                field_codes.add(code)
            agency = item.get("managing_agency")
            if agency and agency not in agency_codes:
                c.error(
                    (*path, "managing_agency"), _("Cơ quan “%(v)s” không có trong danh mục tổ chức.") % {"v": agency}
                )

    c.object_list(document, "fields", (), check_field)
    seen_codes: dict[str, int] = {}

    def check_procedure(item: Any, path: Path) -> None:
        _check_procedure(c, item, path, field_codes=field_codes, agency_codes=agency_codes)
        code = item.get("code") if isinstance(item, dict) else None
        if isinstance(code, str):
            if code in seen_codes:
                c.error(
                    (*path, "code"),
                    _("Mã thủ tục “%(v)s” trùng với dòng %(n)d.") % {"v": code, "n": seen_codes[code] + 1},
                )
            else:
                seen_codes[code] = int(path[-1])

    c.object_list(document, "procedures", (), check_procedure)
    return c.errors


def json_location(path: Path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


# --- Excel -----------------------------------------------------------------------------------

SHEET_FIELDS = "Lĩnh vực"
SHEET_PROCEDURES = "Thủ tục"
SHEET_COMPONENTS = "Thành phần hồ sơ"
SHEET_FEES = "Phí, lệ phí"
SHEET_LEGAL = "Căn cứ pháp lý"
PROCEDURE_COLUMNS = [
    "code",
    "name",
    "field",
    "level",
    "implementing_agency",
    "managing_agency",
    "applicants",
    "methods",
    "processing_time",
    "processing_time_unit",
    "processing_time_note",
    "same_day",
    "reception_cutoff",
    "online_level",
    "full_process_eligible",
    "paper_result_required",
    "payment_timing",
    "steps",
    "conditions",
    "results",
    "verification_status",
    "verification_source",
    "verification_note",
]
LINE_LIST_COLUMNS = {"applicants", "methods", "steps", "results"}
BOOLEAN_COLUMNS = {"full_process_eligible", "paper_result_required", "required", "same_day"}
INTEGER_COLUMNS = {"amount", "original_copies", "copy_copies"}
# Fee rules written as JSON text in their cell (docs/fees.md).
JSON_COLUMNS = {"condition", "reductions"}
CHILD_SHEETS = {
    SHEET_COMPONENTS: ("components", ["name", "original_copies", "copy_copies", "required", "template", "note"]),
    SHEET_FEES: (
        "fees",
        [
            "kind",
            "name",
            "amount",
            "description",
            "exemption",
            "basis",
            "quantity_field",
            "channel",
            "condition",
            "reductions",
        ],
    ),
    SHEET_LEGAL: ("legal_basis", ["number", "title"]),
}


@dataclass
class ExcelDocument:
    """A workbook read into the JSON shape, with the cell each JSON path came from."""

    document: dict[str, Any]
    cells: dict[Path, str]
    errors: list[CatalogError]

    def locate(self, path: Path) -> str:
        for length in range(len(path), 0, -1):
            if path[:length] in self.cells:
                return self.cells[path[:length]]
        return ""


def _cell_value(column: str, raw: Any) -> Any:
    if raw is None:
        return [] if column in LINE_LIST_COLUMNS else ""
    if column in JSON_COLUMNS:
        try:
            return json.loads(str(raw))
        except ValueError:
            return str(raw)  # the validation names the cell
    if column in LINE_LIST_COLUMNS:
        return [line.strip() for line in str(raw).splitlines() if line.strip()]
    if column in BOOLEAN_COLUMNS:
        if isinstance(raw, bool):
            return raw
        return {"true": True, "có": True, "1": True, "false": False, "không": False, "0": False}.get(
            str(raw).strip().lower(), raw
        )
    if column in INTEGER_COLUMNS and isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if column == "processing_time":
        return raw if isinstance(raw, int | float) else str(raw)
    return raw if isinstance(raw, int | float) else str(raw)


def _read_sheet(ws: Any, sheet: str) -> list[tuple[int, dict[str, Any], dict[str, str]]]:
    """Rows of a sheet as (row number, record keyed by the header row, cell name per key)."""
    from openpyxl.utils import get_column_letter

    rows = ws.iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
    records = []
    for row_number, values in enumerate(rows, start=2):
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        record: dict[str, Any] = {}
        cells: dict[str, str] = {}
        for index, column in enumerate(header):
            if not column:
                continue
            cells[column] = f"{sheet}!{get_column_letter(index + 1)}{row_number}"
            value = values[index] if index < len(values) else None
            record[column] = _cell_value(column, value)
        records.append((row_number, record, cells))
    return records


def read_excel(content: bytes) -> ExcelDocument:
    from openpyxl import load_workbook

    errors: list[CatalogError] = []
    try:
        wb = load_workbook(BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a file that is not a workbook
        return ExcelDocument({}, {}, [CatalogError((), _("Tệp không phải là bảng tính Excel (.xlsx) hợp lệ."))])
    for sheet in (SHEET_FIELDS, SHEET_PROCEDURES):
        if sheet not in wb.sheetnames:
            errors.append(CatalogError((), _("Thiếu trang tính “%(s)s”.") % {"s": sheet}))
    if errors:
        return ExcelDocument({}, {}, errors)
    cells: dict[Path, str] = {}
    fields: list[dict[str, Any]] = []
    for _row, record, rec_cells in _read_sheet(wb[SHEET_FIELDS], SHEET_FIELDS):
        path: Path = ("fields", len(fields))
        cells.update({(*path, k): v for k, v in rec_cells.items()})
        cells[path] = rec_cells.get("code", SHEET_FIELDS)
        if not record.get("managing_agency"):
            record.pop("managing_agency", None)
        fields.append(record)
    procedures: list[dict[str, Any]] = []
    index_of_code: dict[str, int] = {}
    for _row, record, rec_cells in _read_sheet(wb[SHEET_PROCEDURES], SHEET_PROCEDURES):
        path = ("procedures", len(procedures))
        verification = {
            k.removeprefix("verification_"): record.pop(k) for k in list(record) if k.startswith("verification_")
        }
        if any(verification.values()):
            record["verification"] = verification
            for key in verification:
                cells[(*path, "verification", key)] = rec_cells[f"verification_{key}"]
        # An empty cell states nothing: the import reads the rule from the time note.
        for key in ("managing_agency", "same_day", "reception_cutoff", "payment_timing"):
            if record.get(key) in ("", None):
                record.pop(key, None)
        for key, cell in rec_cells.items():
            if not key.startswith("verification_"):
                cells[(*path, key)] = cell
        cells[path] = rec_cells.get("code", SHEET_PROCEDURES)
        record.update({"fees": [], "components": [], "legal_basis": []})
        index_of_code.setdefault(str(record.get("code")), len(procedures))
        procedures.append(record)
    for sheet, (key, _columns) in CHILD_SHEETS.items():
        if sheet not in wb.sheetnames:
            continue
        for row, record, rec_cells in _read_sheet(wb[sheet], sheet):
            code = str(record.pop("procedure_code", ""))
            rec_cells.pop("procedure_code", None)
            if code not in index_of_code:
                errors.append(
                    CatalogError(
                        (),
                        _("Mã thủ tục “%(c)s” không có trong trang “%(s)s”.") % {"c": code, "s": SHEET_PROCEDURES},
                        f"{sheet}!A{row}",
                    )
                )
                continue
            if key == "fees":
                # An empty rule cell states nothing: the fee keeps the default rule.
                for rule_key in FEE_RULE_KEYS:
                    if record.get(rule_key) in ("", None):
                        record.pop(rule_key, None)
            proc_index = index_of_code[code]
            items = procedures[proc_index][key]
            path = ("procedures", proc_index, key, len(items))
            cells[path] = f"{sheet}!A{row}"
            cells.update({(*path, k): v for k, v in rec_cells.items()})
            items.append(record)
    document = {"format": FORMAT_ID, "fields": fields, "procedures": procedures}
    return ExcelDocument(document, cells, errors)


def _cell_text(column: str, value: Any) -> Any:
    if column in JSON_COLUMNS:
        return json.dumps(value, ensure_ascii=False) if value else ""
    return value


def write_excel(document: dict[str, Any]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws: Any = wb.active
    ws.title = SHEET_FIELDS
    ws.append(["code", "name", "managing_agency"])
    for item in document["fields"]:
        ws.append([item["code"], item["name"], item.get("managing_agency", "")])
    ws = wb.create_sheet(SHEET_PROCEDURES)
    ws.append(PROCEDURE_COLUMNS)
    for proc in document["procedures"]:
        row = []
        for column in PROCEDURE_COLUMNS:
            if column.startswith("verification_"):
                value: Any = proc.get("verification", {}).get(column.removeprefix("verification_"), "")
            else:
                value = proc.get(column, "")
            row.append("\n".join(value) if column in LINE_LIST_COLUMNS else value)
        ws.append(row)
    for sheet, (key, columns) in CHILD_SHEETS.items():
        ws = wb.create_sheet(sheet)
        ws.append(["procedure_code", *columns])
        for proc in document["procedures"]:
            for item in proc.get(key, []):
                ws.append([proc["code"], *(_cell_text(c, item.get(c, "")) for c in columns)])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


@dataclass
class ParsedFile:
    document: Any
    locate: Callable[[Path], str]
    errors: list[CatalogError]


FILE_KINDS = ("json", "xlsx")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def catalog_file_kind(name: str) -> str | None:
    """ "json" or "xlsx" from a file name, or None for any other kind of file."""
    kind = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return kind if kind in FILE_KINDS else None


def render_catalog_file(document: dict[str, Any], *, file_kind: str) -> bytes:
    """A catalogue document as the bytes of a .json or .xlsx file."""
    if file_kind == "xlsx":
        return write_excel(document)
    return json.dumps(document, ensure_ascii=False, indent=1).encode()


def parse_catalog_file(*, content: bytes, file_kind: str) -> ParsedFile:
    """Read a JSON or Excel catalogue file; errors here are about the file itself."""
    if file_kind == "xlsx":
        workbook = read_excel(content)
        return ParsedFile(workbook.document, workbook.locate, workbook.errors)
    try:
        document = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return ParsedFile(None, json_location, [CatalogError((), _("Tệp JSON không hợp lệ: %(e)s") % {"e": error})])
    return ParsedFile(document, json_location, [])
