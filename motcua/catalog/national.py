"""Import from the national procedure database (Cơ sở dữ liệu quốc gia về TTHC).

Two sources, both as the national portal's public catalogue serves them (demo_data/national/,
docs/national-catalog.md):

- full records: cases, papers, fees, times, agencies, legal bases, results;
- the catalogue index: code, name, fields and implementing departments only.

Each record is converted to the catalogue exchange format (catalog/exchange.py) and checked
with the same rules as a catalogue file, then written in bulk. A record is imported whole or
parked whole (ParkedNationalRecord, with the reason): never dropped, never half-written. The
province's own procedures (source "local": hand-checked, with e-forms) always win.
"""

import datetime
import gzip
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.catalog.constants import CatalogSource, MappingTarget, ProcedureLevel, TimeUnit, VersionStatus
from motcua.catalog.exchange import FORMAT_ID, json_location, validate_catalog
from motcua.catalog.generation import catalog_changed
from motcua.catalog.models import (
    DossierComponent,
    Fee,
    Field,
    NationalAgencyMapping,
    ParkedNationalRecord,
    Procedure,
    ProcedureVersion,
    Process,
    ProcessStep,
)
from motcua.catalog.processes import process_defaults_bulk
from motcua.catalog.services import (
    procedure_content_hash,
    procedure_cutoff_time,
    procedure_normalised,
    procedure_search_text,
)
from motcua.core.audit import audit_record
from motcua.core.text import fold
from motcua.directory.models import AdministrativeUnit, Agency

# The public catalogue as crawled in July 2026, gzipped (the national portal has no open API).
NATIONAL_DATA_DIR = Path(settings.PACKAGE_DIR) / "catalog" / "demo_data" / "national"
DEMO_MAPPINGS = Path(settings.PACKAGE_DIR) / "catalog" / "demo_data" / "national_agency_map.json"
SOURCE_FULL = "Cơ sở dữ liệu quốc gia về thủ tục hành chính"
SOURCE_INDEX = "Danh mục thủ tục hành chính công khai của Cổng Dịch vụ công quốc gia"

_METHOD_LABELS = {"DIRECT": "Trực tiếp", "ONLINE": "Trực tuyến", "POSTAL": "Bưu chính"}
# DVCQG fee types: lệ phí, phí, and a price list (giá) for a public service.
_FEE_KINDS = {"FEE": ("fee", "Lệ phí"), "SERVICE_FEE": ("charge", "Phí"), "PRICE_LEVEL": ("charge", "Giá dịch vụ")}
_UNIT_LABELS = {"DAY": "ngày", "MONTH": "tháng", "WORKING_DAY": "ngày làm việc", "HOUR": "giờ", "OTHER": ""}


# --- Agencies -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Placement:
    """Where a national record is settled in the province."""

    level: str
    agency: Agency | None  # the provincial agency; None: each commune's People's Committee


class AgencyMap:
    """The mapping table, loaded once for a whole import."""

    def __init__(self, rows: Iterable[NationalAgencyMapping]):
        rows = list(rows)
        # Commune rows first ("Công an cấp xã" is settled at the ward, not by the provincial
        # police), then the most specific pattern.
        self._rows = sorted(rows, key=lambda r: (r.target != MappingTarget.COMMUNE, -len(r.pattern)))

    def place(self, names: Iterable[str], *, levels: set[str]) -> Placement | None:
        for name in names:
            folded = f" {fold(name)} "  # whole words only: "y te" is not in "quy tem"
            if not folded.strip():
                continue
            for row in self._rows:
                commune = row.target == MappingTarget.COMMUNE
                level = ProcedureLevel.COMMUNE if commune else ProcedureLevel.PROVINCE
                if level in levels and f" {row.pattern} " in folded:
                    return Placement(level, None if commune else row.agency)
        return None


def national_mappings_load(*, document: list[dict[str, str]]) -> int:
    """Add the default mappings (pattern, target, agency code) an administrator has not set;
    a row for an agency the directory lacks is left out (its records are then parked)."""
    agencies = {a.code: a for a in Agency.objects.all()}
    existing = set(NationalAgencyMapping.objects.values_list("pattern", flat=True))
    rows = [
        NationalAgencyMapping(
            pattern=fold(item["pattern"]),
            target=item["target"],
            agency=agencies[item["agency"]] if item.get("agency") else None,
            note=item.get("note", ""),
        )
        for item in document
        if fold(item["pattern"]) not in existing and (not item.get("agency") or item["agency"] in agencies)
    ]
    NationalAgencyMapping.objects.bulk_create(rows)
    return len(rows)


# --- Conversion -----------------------------------------------------------------------------------


class RecordRefused(Exception):
    """A record that cannot be imported as it is; the message says why, in Vietnamese."""


# What reading a record of the wrong shape raises (a list where an object belongs, text where a
# number belongs): that record is refused, the others go on.
_SHAPE_ERRORS = (AttributeError, TypeError, ValueError, KeyError)


def _shape_reason(error: Exception) -> str:
    return _("Bản ghi không đúng cấu trúc của CSDL quốc gia (%(error)s).") % {"error": error}


def _names(items: Any) -> list[str]:
    return [str(item.get("name") or "").strip() for item in items or [] if str(item.get("name") or "").strip()]


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _time_in_working_days(qty: Any, unit: str) -> tuple[Decimal, str] | None:
    """The legal time in a unit the calendar counts: working days and hours as they are,
    calendar days and months as the working days they hold at least (five of every seven)."""
    if not isinstance(qty, int | float) or isinstance(qty, bool) or qty <= 0:
        return None
    if unit == "HOUR":
        return Decimal(str(qty)), TimeUnit.WORKING_HOUR
    if unit in ("WORKING_DAY", "OTHER"):
        return Decimal(str(qty)), TimeUnit.WORKING_DAY
    days = qty * 30 if unit == "MONTH" else qty
    return Decimal(max(1, math.floor(days * 5 / 7))), TimeUnit.WORKING_DAY


def _processing_time(record: dict[str, Any]) -> tuple[Decimal, str, str]:
    """Time, unit and a note stating every case's and channel's time as the record gives it."""
    lines = []
    for case in record.get("cases") or []:
        day = case.get("processingDay") or {}
        if day.get("qty"):
            label = _UNIT_LABELS.get(day.get("type", ""), "")
            lines.append(f"{case.get('code', '')} {case.get('name', '')}: {day['qty']} {label}".strip())
    methods = record.get("executionMethods") or []
    for method in methods:
        description = (method.get("description") or "").strip()
        if description:
            lines.append(f"{_METHOD_LABELS.get(method.get('submissionMethod', ''), '')}: {description}")
    candidates = [
        ((case.get("processingDay") or {}).get("qty"), (case.get("processingDay") or {}).get("type", ""))
        for case in record.get("cases") or []
    ]
    direct_first = sorted(methods, key=lambda m: m.get("submissionMethod") != "DIRECT")
    candidates += [(m.get("processingTime"), m.get("processingTimeUnit", "")) for m in direct_first]
    for qty, unit in candidates:
        converted = _time_in_working_days(qty, unit)
        if converted is not None:
            if unit in ("DAY", "MONTH"):
                lines.insert(0, f"Theo CSDL quốc gia: {qty} {_UNIT_LABELS[unit]} (tính ra ngày làm việc).")
            return converted[0], converted[1], "\n".join(lines)
    raise RecordRefused(_("Bản ghi không nêu thời hạn giải quyết."))


def _fees(record: dict[str, Any]) -> list[dict[str, Any]]:
    """Fees verbatim, once each; a fee that only some channels charge says which."""
    channels: dict[tuple[str, int, str], list[str]] = {}
    for method in record.get("executionMethods") or []:
        for fee in method.get("fees") or []:
            key = (fee.get("type", ""), int(fee.get("value") or 0), (fee.get("description") or "").strip())
            channels.setdefault(key, []).append(method.get("submissionMethod", ""))
    all_channels = {m.get("submissionMethod", "") for m in record.get("executionMethods") or []}
    fees = []
    for (kind, amount, description), used in channels.items():
        fee_kind, label = _FEE_KINDS.get(kind, ("charge", "Phí"))
        if set(used) != all_channels:
            label += " (" + ", ".join(_METHOD_LABELS.get(m, m).lower() for m in used) + ")"
        fees.append({"kind": fee_kind, "name": label, "amount": amount, "description": description})
    return fees


def _components(record: dict[str, Any]) -> list[dict[str, Any]]:
    groups = record.get("executionCases") or []
    components = []
    for group in groups:
        heading = (group.get("name") or "").strip()
        for paper in group.get("profileComponents") or []:
            templates = ", ".join(a.get("fileName", "") for a in paper.get("attachments") or [] if a.get("fileName"))
            components.append(
                {
                    "name": (paper.get("name") or "").strip(),
                    "original_copies": int(paper.get("originalQty") or 0),
                    "copy_copies": int(paper.get("copyQty") or 0),
                    "required": bool(paper.get("required")),
                    "template": _clip(templates, 500),
                    "note": heading if len(groups) > 1 else "",
                }
            )
    return components


@dataclass
class Converted:
    """A record in the exchange format, with its field and the national metadata."""

    procedure: dict[str, Any]
    field: dict[str, str]
    agency: Agency | None
    source: str
    national_id: str
    national_state: str
    national_updated_at: datetime.datetime | None


def _check(converted: Converted, *, field_codes: set[str], agency_codes: set[str]) -> None:
    document = {"format": FORMAT_ID, "fields": [converted.field], "procedures": [converted.procedure]}
    errors = validate_catalog(document, known_field_codes=field_codes, agency_codes=agency_codes)
    if errors:
        details = "; ".join(f"{json_location(e.path[2:] or e.path)}: {e.message}" for e in errors)
        raise RecordRefused(_("Bản ghi không hợp lệ: %(details)s") % {"details": details})


def _updated_at(value: Any) -> datetime.datetime | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return datetime.datetime.fromtimestamp(value / 1000, tz=datetime.UTC)
    return None


_INDEX_FIELD_PREFIX = "QG-"


def _index_field(names: list[str], ids: list[str], known: dict[str, str]) -> dict[str, str]:
    """The index names fields without their codes: the code of a field of that name, else one
    made from the national field id."""
    name = names[0].strip() if names else ""
    if not name:
        raise RecordRefused(_("Bản ghi không nêu lĩnh vực."))
    code = known.get(fold(name)) or (_INDEX_FIELD_PREFIX + (ids[0].rsplit("-", 1)[-1] if ids else fold(name)[:30]))
    return {"code": code, "name": name}


def convert_full_record(record: Any, *, placement: Placement, field_managing: dict[str, str]) -> Converted:
    """A full national record as one procedure of the exchange format (refused if malformed)."""
    if not isinstance(record, dict):
        raise RecordRefused(_("Bản ghi không phải là một đối tượng JSON."))
    category = record.get("category") or (record.get("categoriesDetails") or [{}])[0]
    if not category.get("code") or not category.get("name"):
        raise RecordRefused(_("Bản ghi không nêu lĩnh vực."))
    time, unit, note = _processing_time(record)
    managing = placement.agency.code if placement.agency else field_managing.get(category["code"], "")
    executing = _names(record.get("unitGroupsExecuting")) or _names(record.get("departmentsExecuting"))
    implementing = ", ".join(dict.fromkeys(executing)) or str(record.get("executingAgencies") or "")
    procedure = {
        "code": record.get("code"),
        "name": (record.get("name") or "").strip(),
        "field": category["code"],
        "level": placement.level,
        "implementing_agency": _clip(implementing.replace("\xa0", " ").strip(), 500),
        "managing_agency": managing,
        "applicants": _names(record.get("subjectTypesDetails")),
        "methods": [
            _METHOD_LABELS[m["submissionMethod"]]
            for m in record.get("executionMethods") or []
            if m.get("submissionMethod") in _METHOD_LABELS
        ],
        "processing_time": format(time, "f"),
        "processing_time_unit": unit,
        "processing_time_note": note,
        "online_level": "full" if record.get("isFullProcess") else "partial",
        "full_process_eligible": bool(record.get("isFullProcess")),
        "fees": _fees(record),
        "components": _components(record),
        "steps": [
            " ".join(filter(None, [(s.get("name") or "").strip(), (s.get("description") or "").strip()]))
            for s in record.get("executionSteps") or []
        ],
        "conditions": record.get("requirementsAndConditions") or "",
        "results": _names(record.get("resultsDetails")),
        "legal_basis": [
            {"number": (item.get("code") or "").strip(), "title": (item.get("name") or "").strip()}
            for item in record.get("legalBasisesDetails") or []
        ],
        "verification": {"status": "verified", "source": SOURCE_FULL, "note": ""},
    }
    return Converted(
        procedure=procedure,
        field={"code": category["code"], "name": category["name"]},
        agency=placement.agency,
        source=CatalogSource.NATIONAL,
        national_id=str(record.get("id") or ""),
        national_state=str(record.get("state") or ""),
        national_updated_at=_updated_at(record.get("updatedAt")),
    )


def convert_index_entry(
    entry: Any, *, placement: Placement, known_fields: dict[str, str], field_managing: dict[str, str]
) -> Converted:
    """An index entry as an information-only procedure: what the index says and nothing more."""
    if not isinstance(entry, dict):
        raise RecordRefused(_("Bản ghi không phải là một đối tượng JSON."))
    field_ = _index_field(entry.get("categories") or [], entry.get("categoryIds") or [], known_fields)
    managing = placement.agency.code if placement.agency else field_managing.get(field_["code"], "")
    departments = ", ".join(dict.fromkeys(n.strip() for n in entry.get("departments") or [] if n.strip()))
    procedure = {
        "code": entry.get("code"),
        "name": (entry.get("name") or "").strip(),
        "field": field_["code"],
        "level": placement.level,
        "implementing_agency": _clip(departments, 500),
        "managing_agency": managing,
        "applicants": [t for t in entry.get("formalityTargetType") or [] if isinstance(t, str)],
        "methods": ["Trực tiếp"],
        # The index gives no time: a nominal one the catalogue needs, never shown (the page of
        # an information-only procedure says to ask at the counter).
        "processing_time": "1",
        "processing_time_unit": TimeUnit.WORKING_DAY,
        "processing_time_note": "",
        "online_level": "partial",
        "verification": {
            "status": "partial",
            "source": SOURCE_INDEX,
            "note": "Chỉ có mã, tên, lĩnh vực và cơ quan thực hiện; chưa có thành phần hồ sơ, phí, thời hạn.",
        },
    }
    return Converted(
        procedure=procedure,
        field=field_,
        agency=placement.agency,
        source=CatalogSource.NATIONAL_INDEX,
        national_id=str(entry.get("id") or ""),
        national_state=str(entry.get("state") or ""),
        national_updated_at=None,
    )


# --- Scope ----------------------------------------------------------------------------------------


def demo_province_name() -> str:
    """The province of the directory (its top unit), e.g. "Đắk Lắk"."""
    unit = AdministrativeUnit.objects.filter(parent__isnull=True).order_by("code").first()
    if unit is None:
        return ""
    name = unit.name
    for prefix in ("Thành phố ", "Tỉnh "):
        if name.startswith(prefix):
            return name.removeprefix(prefix)
    return name


def _promulgated_here(promulgator: str, province: str) -> bool:
    return bool(province) and fold(province) in fold(promulgator or "")


def full_record_levels(record: dict[str, Any], *, province: str) -> set[str]:
    """The levels at which a full record is settled in this province; empty: not here (a
    ministry's procedure, or one another province promulgated)."""
    if record.get("type") == "SPECIFIC" and not _promulgated_here(record.get("departmentPromulgateName", ""), province):
        return set()
    levels: set[str] = set()
    if record.get("isProvince"):
        levels.add(ProcedureLevel.PROVINCE)
    if record.get("isWard"):
        levels.add(ProcedureLevel.COMMUNE)
    return levels


# Words naming a provincial or commune body: an index entry whose departments say one of them
# applies in the province even when no mapping matches it (then it is parked, not skipped).
_LOCAL_WORDS = (" tinh", "cap xa", " xa ", "phuong", "so ")


def index_entry_applies(entry: dict[str, Any], *, province: str) -> bool:
    if entry.get("type") == "STANDARD_INTERNAL":
        return False  # between agencies, not for citizens
    if entry.get("type") == "SPECIFIC":
        return _promulgated_here(entry.get("departmentPromulgate", ""), province)
    folded = " ".join(" " + fold(n) + " " for n in entry.get("departments") or [])
    return any(word in folded for word in _LOCAL_WORDS)


def _executing_names(record: dict[str, Any]) -> list[str]:
    return [
        *_names(record.get("unitGroupsExecuting")),
        *_names(record.get("departmentsExecuting")),
        *_names(record.get("departmentsAuthority")),
    ]


# --- Import ---------------------------------------------------------------------------------------


@dataclass
class NationalReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept_local: list[str] = field(default_factory=list)
    parked: dict[str, str] = field(default_factory=dict)
    not_applicable: list[str] = field(default_factory=list)
    processes: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "kept_local": len(self.kept_local),
            "parked": len(self.parked),
            "not_applicable": len(self.not_applicable),
            "default_processes": self.processes,
        }


def _park_reason_unmapped(names: list[str]) -> str:
    listed = "; ".join(dict.fromkeys(names)) or _("(bản ghi không nêu cơ quan)")
    return _(
        "Chưa ánh xạ được cơ quan thực hiện sang cơ quan của tỉnh: %(names)s. Thêm một dòng "
        "“Ánh xạ cơ quan CSDL quốc gia” rồi nhập lại."
    ) % {"names": listed}


def national_import(
    *, actor: Any, records: Sequence[Any], index: Sequence[Any] = (), province: str | None = None
) -> NationalReport:
    """Bring the province's part of the national catalogue in step, in one transaction.

    A record whose content equals its procedure's current version changes nothing; a changed
    one gets a new published version (the old one is retired and kept); a procedure of the
    province's own catalogue is left as it is. An index entry fills in only what has no full
    record. Every new version gets the default process.
    """
    province = demo_province_name() if province is None else province
    report = NationalReport()
    mapping = AgencyMap(NationalAgencyMapping.objects.select_related("agency"))
    fields = {f.code: f for f in Field.objects.select_related("managing_agency")}
    field_managing = {code: f.managing_agency.code for code, f in fields.items() if f.managing_agency}
    agencies = {a.code: a for a in Agency.objects.all()}
    existing = {p.code: p for p in Procedure.objects.select_related("current_version")}
    converted: dict[str, Converted] = {}
    parked: dict[str, tuple[Any, str, bool]] = {}

    def accept(item: Converted) -> None:
        _check(item, field_codes=set(fields), agency_codes=set(agencies))
        converted[item.procedure["code"]] = item

    for record in records:
        code = str(record.get("code") or record.get("id") or "?") if isinstance(record, dict) else "?"
        try:
            if not isinstance(record, dict):
                raise RecordRefused(_("Bản ghi không phải là một đối tượng JSON."))
            levels = full_record_levels(record, province=province)
            if not levels:
                report.not_applicable.append(code)
                continue
            placement = mapping.place(_executing_names(record), levels=levels)
            if placement is None:
                raise RecordRefused(_park_reason_unmapped(_executing_names(record)))
            accept(convert_full_record(record, placement=placement, field_managing=field_managing))
        except RecordRefused as refused:
            parked[code] = (record, str(refused), False)
        except _SHAPE_ERRORS as error:
            parked[code] = (record, _shape_reason(error), False)
    # Fields the index names are found by name among those with a national code (not among
    # the ones made from an index field id: two ids may share a name), the same on every run.
    named = [(f.name, code) for code, f in fields.items()] + [
        (c.field["name"], c.field["code"]) for c in converted.values()
    ]
    known_fields: dict[str, str] = {}
    for name, code in sorted(named, key=lambda pair: pair[1], reverse=True):
        if not code.startswith(_INDEX_FIELD_PREFIX):
            known_fields[fold(name)] = code
    for entry in index:
        code = str(entry.get("code") or entry.get("id") or "?") if isinstance(entry, dict) else "?"
        if code in converted or code in parked:
            continue  # the full record says more
        current = existing.get(code)
        if current is not None and current.source == CatalogSource.NATIONAL:
            continue  # imported from a full record before: the index would say less
        try:
            if not isinstance(entry, dict):
                raise RecordRefused(_("Bản ghi không phải là một đối tượng JSON."))
            if not index_entry_applies(entry, province=province):
                report.not_applicable.append(code)
                continue
            names = [n for n in entry.get("departments") or [] if isinstance(n, str)]
            placement = mapping.place(names, levels={ProcedureLevel.PROVINCE, ProcedureLevel.COMMUNE})
            if placement is None:
                raise RecordRefused(_park_reason_unmapped(names))
            accept(
                convert_index_entry(
                    entry, placement=placement, known_fields=known_fields, field_managing=field_managing
                )
            )
        except RecordRefused as refused:
            parked[code] = (entry, str(refused), True)
        except _SHAPE_ERRORS as error:
            parked[code] = (entry, _shape_reason(error), True)

    with transaction.atomic():
        _write(actor=actor, converted=converted, existing=existing, fields=fields, agencies=agencies, report=report)
        _park(parked, report=report)
        _statistics_refresh()
        # Bulk writes send no row signals: the public pages kept for visitors are renewed here.
        catalog_changed()
        audit_record(
            actor=actor,
            action="catalog.national_import",
            object_type="catalog",
            object_id="catalog",
            object_repr=_("Danh mục thủ tục"),
            summary=report.as_dict(),
        )
    return report


def _statistics_refresh() -> None:
    """Tell PostgreSQL's planner how big the catalogue tables have become: right after thousands
    of rows arrive it still plans for the few it last counted, and the first reads that join
    them (every procedure's process, when the demo staff are worked out) take minutes."""
    if connection.vendor != "postgresql":
        return
    tables = [m._meta.db_table for m in (Procedure, ProcedureVersion, Process, ProcessStep, Fee, DossierComponent)]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))


def _park(parked: dict[str, tuple[Any, str, bool]], *, report: NationalReport) -> None:
    """Keep what could not be imported, with why; forget parked records imported (or found
    not to apply) since."""
    settled = [*report.created, *report.updated, *report.unchanged, *report.kept_local, *report.not_applicable]
    ParkedNationalRecord.objects.filter(code__in=settled).delete()
    ParkedNationalRecord.objects.filter(code__in=list(parked)).delete()
    ParkedNationalRecord.objects.bulk_create(
        ParkedNationalRecord(
            code=code[:40],
            name=str(record.get("name") or "")[:1000] if isinstance(record, dict) else "",
            from_index=from_index,
            reason=reason,
            record=record,
        )
        for code, (record, reason, from_index) in parked.items()
    )
    report.parked = {code: reason for code, (_record, reason, _index) in parked.items()}


def _write(
    *,
    actor: Any,
    converted: dict[str, Converted],
    existing: dict[str, Procedure],
    fields: dict[str, Field],
    agencies: dict[str, Agency],
    report: NationalReport,
) -> None:
    new_fields = {c.field["code"]: c.field for c in converted.values() if c.field["code"] not in fields}
    Field.objects.bulk_create(Field(code=f["code"], name=f["name"]) for f in new_fields.values())
    fields.update({f.code: f for f in Field.objects.filter(code__in=list(new_fields))})
    contents: dict[str, tuple[Converted, dict[str, Any]]] = {}
    for code, item in converted.items():
        procedure = existing.get(code)
        if procedure is not None and procedure.source == CatalogSource.LOCAL:
            report.kept_local.append(code)  # hand-checked, with its e-form: the province's version wins
            continue
        content = procedure_normalised(item.procedure)
        version = procedure.current_version if procedure else None
        if version is not None and version.content_hash == procedure_content_hash(content):
            report.unchanged.append(code)
            continue
        (report.updated if procedure else report.created).append(code)
        contents[code] = (item, content)
    if not contents:
        return
    now = timezone.now()
    versions = [
        _version(Procedure(code=code), item, content, number=1, published_at=now, fields=fields, agencies=agencies)
        for code, (item, content) in contents.items()
    ]
    for version in versions:
        _copy_to_procedure(version, source=contents[version.procedure.code][0].source, now=now)
    # New procedures are created with their columns filled in; the few changed ones are updated.
    Procedure.objects.bulk_create(v.procedure for v in versions if v.procedure.code not in existing)
    changed = [v for v in versions if v.procedure.code in existing]
    for version in changed:
        version.procedure.pk = existing[version.procedure.code].pk
    Procedure.objects.bulk_update([v.procedure for v in changed], _PROCEDURE_COLUMNS, batch_size=200)
    changed_ids = [v.procedure.pk for v in changed]
    last_numbers: dict[int, int] = {}
    for procedure_id, number in ProcedureVersion.objects.filter(procedure_id__in=changed_ids).values_list(
        "procedure_id", "number"
    ):
        last_numbers[procedure_id] = max(number, last_numbers.get(procedure_id, 0))
    ProcedureVersion.objects.filter(procedure_id__in=changed_ids, status=VersionStatus.DRAFT).delete()
    ProcedureVersion.objects.filter(procedure_id__in=changed_ids, status=VersionStatus.PUBLISHED).update(
        status=VersionStatus.RETIRED
    )
    for version in versions:
        version.procedure = version.procedure  # its primary key is known now
        version.number = last_numbers.get(version.procedure.pk, 0) + 1
    ProcedureVersion.objects.bulk_create(versions)
    Fee.objects.bulk_create(
        Fee(version=version, position=i, **fee)
        for version in versions
        for i, fee in enumerate(contents[version.procedure.code][1]["fees"])
    )
    DossierComponent.objects.bulk_create(
        DossierComponent(version=version, position=i, **comp)
        for version in versions
        for i, comp in enumerate(contents[version.procedure.code][1]["components"])
    )
    # One statement points every written procedure at its new published version.
    Procedure.objects.filter(pk__in=[v.procedure.pk for v in versions]).update(
        current_version=Subquery(
            ProcedureVersion.objects.filter(procedure=OuterRef("pk"), status=VersionStatus.PUBLISHED).values("pk")[:1]
        )
    )
    # Information-only procedures are filed at the counter outside this system: no process.
    report.processes = process_defaults_bulk(
        versions=[v for v in versions if contents[v.procedure.code][0].source == CatalogSource.NATIONAL],
        actor=actor,
    )


_PROCEDURE_COLUMNS = [
    "name",
    "field",
    "level",
    "online_level",
    "managing_agency",
    "source",
    "name_folded",
    "search_folded",
    "updated_at",
]


def _copy_to_procedure(version: ProcedureVersion, *, source: str, now: datetime.datetime) -> None:
    """The columns of the procedure that search and filters read, from its new version."""
    procedure = version.procedure
    procedure.name = version.name
    procedure.field = version.field
    procedure.level = version.level
    procedure.online_level = version.online_level
    procedure.managing_agency = version.managing_agency
    procedure.source = source
    procedure.name_folded = fold(version.name)
    procedure.search_folded = procedure_search_text(procedure=procedure, version=version)
    procedure.updated_at = now


def _version(
    procedure: Procedure,
    item: Converted,
    content: dict[str, Any],
    *,
    number: int,
    published_at: datetime.datetime,
    fields: dict[str, Field],
    agencies: dict[str, Agency],
) -> ProcedureVersion:
    return ProcedureVersion(
        procedure=procedure,
        number=number,
        status=VersionStatus.PUBLISHED,
        published_at=published_at,
        content_hash=procedure_content_hash(content),
        name=content["name"],
        field=fields[content["field"]],
        level=content["level"],
        implementing_agency=content["implementing_agency"],
        managing_agency=agencies.get(content["managing_agency"]),
        applicants=content["applicants"],
        methods=content["methods"],
        processing_time=Decimal(content["processing_time"]),
        processing_time_unit=content["processing_time_unit"],
        processing_time_note=content["processing_time_note"],
        same_day=content.get("same_day", False),
        reception_cutoff=procedure_cutoff_time(content),
        online_level=content["online_level"],
        full_process_eligible=content["full_process_eligible"],
        paper_result_required=content["paper_result_required"],
        steps=content["steps"],
        conditions=content["conditions"],
        results=content["results"],
        legal_basis=content["legal_basis"],
        verification=content["verification"],
        national_id=item.national_id,
        national_state=item.national_state,
        national_updated_at=item.national_updated_at,
    )


def _read_text(path: Path) -> str:
    if path.suffix == ".gz":
        return gzip.decompress(path.read_bytes()).decode()
    return path.read_text()


def national_files_read(*, records_path: Path, index_path: Path | None) -> tuple[list[Any], list[Any]]:
    """Full records (a JSON list) and index entries (JSON lines), each file plain or gzipped."""
    records = json.loads(_read_text(records_path))
    index = [json.loads(line) for line in _read_text(index_path).splitlines() if line.strip()] if index_path else []
    return records, index


DEMO_RECORDS = NATIONAL_DATA_DIR / "dvcqg-procedures-502.json.gz"
DEMO_INDEX = NATIONAL_DATA_DIR / "dvcqg-catalog-5670.jsonl.gz"


# --- What changed between two versions -------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One difference between two versions: what, and the texts before and after."""

    label: str
    before: list[str]
    after: list[str]


def _fee_text(fee: dict[str, Any]) -> str:
    kind = _("Lệ phí") if fee["kind"] == "fee" else _("Phí")
    text = f"{kind} – {fee['name']}: {fee['amount']:,} đồng".replace(",", ".")
    return " – ".join(filter(None, [text, fee.get("description", ""), fee.get("exemption", "")]))


def _component_text(component: dict[str, Any]) -> str:
    copies = _("%(o)d bản chính, %(c)d bản sao") % {"o": component["original_copies"], "c": component["copy_copies"]}
    required = _("bắt buộc") if component["required"] else _("không bắt buộc")
    return f"{component['name']} ({copies}; {required})"


def version_changes(*, before: ProcedureVersion, after: ProcedureVersion) -> list[Change]:
    """What differs from `before` to `after`, in Vietnamese: fields, time, papers, fees, legal
    bases, results. Lists show only the items removed (before) and added (after)."""
    from motcua.catalog.services import procedure_version_content

    old, new = procedure_version_content(version=before), procedure_version_content(version=after)

    def time_text(content: dict[str, Any]) -> str:
        amount = format(Decimal(content["processing_time"]).normalize(), "f")
        return f"{amount} {TimeUnit(content['processing_time_unit']).label}"

    scalars = [
        (_("Tên thủ tục"), lambda c: c["name"]),
        (_("Lĩnh vực"), lambda c: c["field"]),
        (_("Cấp thực hiện"), lambda c: str(ProcedureLevel(c["level"]).label)),
        (_("Cơ quan thực hiện"), lambda c: c["implementing_agency"]),
        (_("Cơ quan quản lý"), lambda c: c["managing_agency"]),
        (_("Thời hạn giải quyết"), time_text),
        (_("Ghi chú thời hạn"), lambda c: c["processing_time_note"]),
        (_("Mức độ trực tuyến"), lambda c: c["online_level"]),
        (_("Yêu cầu, điều kiện"), lambda c: c["conditions"]),
    ]
    lists = [
        (_("Thành phần hồ sơ"), lambda c: [_component_text(x) for x in c["components"]]),
        (_("Phí, lệ phí"), lambda c: [_fee_text(x) for x in c["fees"]]),
        (_("Căn cứ pháp lý"), lambda c: [f"{x['number']} – {x['title']}" for x in c["legal_basis"]]),
        (_("Kết quả"), lambda c: list(c["results"])),
        (_("Cách thức thực hiện"), lambda c: list(c["methods"])),
        (_("Đối tượng thực hiện"), lambda c: list(c["applicants"])),
        (_("Trình tự thực hiện"), lambda c: list(c["steps"])),
    ]
    changes = []
    for label, text in scalars:
        if text(old) != text(new):
            changes.append(Change(str(label), [text(old)], [text(new)]))
    for label, items in lists:
        removed = [x for x in items(old) if x not in items(new)]
        added = [x for x in items(new) if x not in items(old)]
        if removed or added:
            changes.append(Change(str(label), removed, added))
    return changes
