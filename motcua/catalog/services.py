"""Writes to the procedure catalogue: import, export, versions."""

import datetime
import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db import OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.catalog.constants import (
    CatalogSource,
    FeeBasis,
    FeeChannel,
    ImportJobStatus,
    PaymentTiming,
    VersionStatus,
)
from motcua.catalog.exchange import (
    FORMAT_ID,
    CatalogError,
    catalog_file_kind,
    json_location,
    parse_catalog_file,
    validate_catalog,
)
from motcua.catalog.models import CatalogImportJob, DossierComponent, Fee, Field, Procedure, ProcedureVersion
from motcua.catalog.reception_rules import parse_reception_rule
from motcua.catalog.selectors import catalog_agency_scope
from motcua.core.audit import audit_record
from motcua.core.errors import ApplicationError
from motcua.core.tasks import enqueue_on_commit
from motcua.core.text import fold
from motcua.directory.models import Agency

Progress = Callable[[int, int], None]
MAX_IMPORT_BYTES = 20 * 1024 * 1024

logger = logging.getLogger(__name__)


class CatalogImportRefused(ApplicationError):
    code = "catalog_import_refused"

    def __init__(self, errors: list[CatalogError], message: str = ""):
        super().__init__(
            message or _("Tệp danh mục có %(n)d lỗi; không có thay đổi nào được ghi.") % {"n": len(errors)}
        )
        self.errors = errors


def _out_of_scope_message(code: str) -> str:
    return _(
        "Thủ tục %(code)s nằm ngoài phạm vi quản trị của bạn: chỉ được thêm, sửa thủ tục do cơ quan mình quản lý "
        "và không được chuyển thủ tục sang hoặc từ cơ quan khác."
    ) % {"code": code}


def _ensure_in_scope(*, actor: Any, code: str, agency_ids: set[int | None]) -> None:
    """Refuse a write whose managing agencies (the one left, the one given) are not all in the actor's scope."""
    scope = catalog_agency_scope(actor=actor)
    if scope is not None and not agency_ids <= scope:
        raise ApplicationError(_out_of_scope_message(code), code="catalog_out_of_scope")


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    fields_written: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "fields": self.fields_written,
        }


_CONTENT_KEYS = (
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
    "online_level",
    "full_process_eligible",
    "paper_result_required",
    "fees",
    "components",
    "steps",
    "conditions",
    "results",
    "legal_basis",
    "verification",
)
_COMPONENT_DEFAULTS = {"original_copies": 0, "copy_copies": 0, "required": True, "template": "", "note": ""}
_FEE_DEFAULTS = {"description": "", "exemption": ""}
# A fee's rule at these defaults is left out of the content, so a fee without rules hashes as
# it did before rules existed and re-importing an older catalogue changes nothing.
_FEE_RULE_DEFAULTS: dict[str, Any] = {
    "basis": str(FeeBasis.FIXED),
    "quantity_field": "",
    "condition": {},
    "channel": str(FeeChannel.ANY),
    "reductions": [],
}


def _fee_normalised(fee: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value
        for key, value in {**_FEE_DEFAULTS, **fee}.items()
        if key not in _FEE_RULE_DEFAULTS or (value or _FEE_RULE_DEFAULTS[key]) != _FEE_RULE_DEFAULTS[key]
    }


def _payment_timing(proc: dict[str, Any]) -> dict[str, Any]:
    """Stated only when it is not the default (after acceptance), for the same reason."""
    timing = proc.get("payment_timing") or PaymentTiming.ACCEPTANCE
    return {} if timing == PaymentTiming.ACCEPTANCE else {"payment_timing": str(timing)}


def procedure_normalised(proc: dict[str, Any]) -> dict[str, Any]:
    """The procedure's content with defaults filled in, so equal content hashes equally."""
    return {
        "name": proc["name"].strip(),
        "field": proc["field"],
        "level": proc["level"],
        "implementing_agency": proc["implementing_agency"].strip(),
        "managing_agency": proc.get("managing_agency") or "",
        "applicants": proc.get("applicants", []),
        "methods": proc.get("methods", []),
        "processing_time": format(Decimal(str(proc["processing_time"])).normalize(), "f"),
        "processing_time_unit": proc["processing_time_unit"],
        "processing_time_note": proc.get("processing_time_note", ""),
        **_reception_rule(proc),
        "online_level": proc["online_level"],
        "full_process_eligible": proc.get("full_process_eligible", False),
        "paper_result_required": proc.get("paper_result_required", False),
        **_payment_timing(proc),
        "fees": [_fee_normalised(fee) for fee in proc.get("fees", [])],
        "components": [{**_COMPONENT_DEFAULTS, **comp} for comp in proc.get("components", [])],
        "steps": proc.get("steps", []),
        "conditions": proc.get("conditions", ""),
        "results": proc.get("results", []),
        "legal_basis": proc.get("legal_basis", []),
        "verification": proc.get("verification", {}),
    }


def _cutoff_text(value: datetime.time | str | None) -> str:
    if not value:
        return ""
    time = value if isinstance(value, datetime.time) else datetime.time.fromisoformat(value.strip())
    return f"{time:%H:%M}"


def procedure_cutoff_time(content: dict[str, Any]) -> datetime.time | None:
    return datetime.time.fromisoformat(content["reception_cutoff"]) if "reception_cutoff" in content else None


def _reception_rule(proc: dict[str, Any]) -> dict[str, Any]:
    """The same-day and cut-off rules as the document states them or, when it says nothing of
    them, as its time note does. Only rules that apply are kept, so a version without any
    hashes as it did before these rules existed and re-importing it changes nothing."""
    if "same_day" in proc or "reception_cutoff" in proc:
        same_day, cutoff = bool(proc.get("same_day")), _cutoff_text(proc.get("reception_cutoff"))
    else:
        rule = parse_reception_rule(
            proc.get("processing_time_note", ""),
            processing_time=Decimal(str(proc["processing_time"])),
            unit=proc["processing_time_unit"],
        )
        same_day, cutoff = rule.same_day, _cutoff_text(rule.cutoff)
    return {**({"same_day": True} if same_day else {}), **({"reception_cutoff": cutoff} if cutoff else {})}


def procedure_content_hash(content: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _is_current(procedure: Procedure | None, content: dict[str, Any]) -> bool:
    """Whether importing `content` would leave `procedure` as it is."""
    return bool(
        procedure is not None
        and procedure.current_version
        and procedure.current_version.content_hash == procedure_content_hash(content)
    )


def procedure_search_text(*, procedure: Procedure, version: ProcedureVersion) -> str:
    """What a search matches against: code, name, field, agency and results, folded."""
    parts = [procedure.code, version.name, version.field.name, version.implementing_agency, *version.results]
    return fold(" ".join(parts))


def _create_version(
    *, procedure: Procedure, content: dict[str, Any], fields: dict[str, Field], agencies: dict[str, Agency]
) -> ProcedureVersion:
    last = procedure.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        number=last + 1,
        status=VersionStatus.DRAFT,
        content_hash=procedure_content_hash(content),
        field=fields[content["field"]],
        managing_agency=agencies.get(content["managing_agency"]),
        processing_time=Decimal(content["processing_time"]),
        same_day=content.get("same_day", False),
        reception_cutoff=procedure_cutoff_time(content),
        payment_timing=content.get("payment_timing", PaymentTiming.ACCEPTANCE),
        **{
            k: content[k]
            for k in _CONTENT_KEYS
            if k not in {"field", "managing_agency", "processing_time", "fees", "components"}
        },
    )
    Fee.objects.bulk_create(Fee(version=version, position=i, **fee) for i, fee in enumerate(content["fees"]))
    DossierComponent.objects.bulk_create(
        DossierComponent(version=version, position=i, **comp) for i, comp in enumerate(content["components"])
    )
    return version


def procedure_version_publish(*, actor: Any, version: ProcedureVersion) -> ProcedureVersion:
    """Make a draft the version new dossiers use; the previous one is retired, not changed."""
    with transaction.atomic():
        version = ProcedureVersion.objects.select_for_update().select_related("procedure", "field").get(pk=version.pk)
        if version.status != VersionStatus.DRAFT:
            raise ApplicationError(_("Chỉ có thể áp dụng phiên bản ở trạng thái nháp."), code="version_not_draft")
        procedure = Procedure.objects.select_for_update().get(pk=version.procedure_id)
        # A new procedure (no version yet) has no agency of its own to leave.
        leaving = {procedure.managing_agency_id} if procedure.current_version_id else set()
        _ensure_in_scope(actor=actor, code=procedure.code, agency_ids={*leaving, version.managing_agency_id})
        ProcedureVersion.objects.filter(procedure=procedure, status=VersionStatus.PUBLISHED).update(
            status=VersionStatus.RETIRED
        )
        version.status = VersionStatus.PUBLISHED
        version.published_at = timezone.now()
        version.content_hash = procedure_content_hash(procedure_version_content(version=version))
        version.save(update_fields=["status", "published_at", "content_hash"])
        procedure.current_version = version
        procedure.name = version.name
        procedure.field = version.field
        procedure.level = version.level
        procedure.online_level = version.online_level
        procedure.managing_agency_id = version.managing_agency_id
        procedure.name_folded = fold(version.name)
        procedure.search_folded = procedure_search_text(procedure=procedure, version=version)
        procedure.save()
        audit_record(
            actor=actor, action="procedure_version.publish", obj=procedure, summary={"version": version.number}
        )
    return version


def procedure_version_clone(*, actor: Any, procedure: Procedure) -> ProcedureVersion:
    """A new draft copied from the current version, for an administrator to edit."""
    with transaction.atomic():
        procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
        if procedure.versions.filter(status=VersionStatus.DRAFT).exists():
            raise ApplicationError(_("Thủ tục này đã có một phiên bản nháp đang chờ áp dụng."), code="draft_exists")
        current = procedure.current_version
        if current is None:
            raise ApplicationError(_("Thủ tục chưa có phiên bản nào để sao chép."), code="no_version")
        content = procedure_version_content(version=current)
        fields = {current.field.code: current.field}
        agencies = {current.managing_agency.code: current.managing_agency} if current.managing_agency else {}
        draft = _create_version(procedure=procedure, content=content, fields=fields, agencies=agencies)
        audit_record(actor=actor, action="procedure_version.clone", obj=procedure, summary={"version": draft.number})
    return draft


def procedure_version_content(*, version: ProcedureVersion) -> dict[str, Any]:
    """The version in the exchange format (without its code)."""
    return procedure_normalised(
        {
            "name": version.name,
            "field": version.field.code,
            "level": version.level,
            "implementing_agency": version.implementing_agency,
            "managing_agency": version.managing_agency.code if version.managing_agency else "",
            "applicants": version.applicants,
            "methods": version.methods,
            "processing_time": version.processing_time,
            "processing_time_unit": version.processing_time_unit,
            "processing_time_note": version.processing_time_note,
            "same_day": version.same_day,
            "reception_cutoff": version.reception_cutoff,
            "online_level": version.online_level,
            "full_process_eligible": version.full_process_eligible,
            "paper_result_required": version.paper_result_required,
            "payment_timing": version.payment_timing,
            "fees": [
                {
                    "kind": f.kind,
                    "name": f.name,
                    "amount": f.amount,
                    "description": f.description,
                    "exemption": f.exemption,
                    "basis": f.basis,
                    "quantity_field": f.quantity_field,
                    "condition": f.condition,
                    "channel": f.channel,
                    "reductions": f.reductions,
                }
                for f in version.fees.all()
            ],
            "components": [
                {
                    "name": c.name,
                    "original_copies": c.original_copies,
                    "copy_copies": c.copy_copies,
                    "required": c.required,
                    "template": c.template,
                    "note": c.note,
                }
                for c in version.components.all()
            ],
            "steps": version.steps,
            "conditions": version.conditions,
            "results": version.results,
            "legal_basis": version.legal_basis,
            "verification": version.verification,
        }
    )


def catalog_import(
    *,
    actor: Any,
    document: Any,
    locate: Callable[[tuple[str | int, ...]], str] = json_location,
    progress: Progress | None = None,
) -> ImportReport:
    """Apply a catalogue document all-or-nothing.

    A procedure whose content equals its current version is left alone, so importing the same
    file twice changes nothing; a changed one gets a new published version and keeps the old.
    """
    errors = validate_catalog(
        document,
        known_field_codes=set(Field.objects.values_list("code", flat=True)),
        agency_codes=set(Agency.objects.values_list("code", flat=True)),
    )
    if errors:
        for error in errors:
            error.location = error.location or locate(error.path)
        raise CatalogImportRefused(errors)
    _catalog_import_scope_check(actor=actor, document=document, locate=locate)
    report = ImportReport()
    procedures = document["procedures"]
    with transaction.atomic():
        agencies = {a.code: a for a in Agency.objects.all()}
        for item in document.get("fields", []):
            managing = agencies.get(item.get("managing_agency", ""))
            _obj, _created = Field.objects.update_or_create(
                code=item["code"], defaults={"name": item["name"], "managing_agency": managing}
            )
            report.fields_written += 1
        fields = {f.code: f for f in Field.objects.all()}
        existing = {p.code: p for p in Procedure.objects.select_related("current_version")}
        for index, item in enumerate(procedures):
            content = procedure_normalised(item)
            procedure = existing.get(item["code"])
            if _is_current(procedure, content):
                report.unchanged.append(item["code"])
            else:
                if procedure is None:
                    procedure = Procedure.objects.create(
                        code=item["code"],
                        name=content["name"],
                        field=fields[content["field"]],
                        level=content["level"],
                        online_level=content["online_level"],
                    )
                    report.created.append(item["code"])
                else:
                    report.updated.append(item["code"])
                    # The province's own file now says what this procedure is: the national
                    # import leaves it alone from here on (docs/national-catalog.md).
                    Procedure.objects.filter(pk=procedure.pk).update(source=CatalogSource.LOCAL)
                ProcedureVersion.objects.filter(procedure=procedure, status=VersionStatus.DRAFT).delete()
                version = _create_version(procedure=procedure, content=content, fields=fields, agencies=agencies)
                procedure_version_publish(actor=actor, version=version)
            if progress:
                progress(index + 1, len(procedures))
        audit_record(
            actor=actor,
            action="catalog.import",
            object_type="catalog",
            object_id="catalog",
            object_repr=_("Danh mục thủ tục"),
            summary=report.as_dict(),
        )
    return report


def _catalog_import_scope_check(
    *, actor: Any, document: dict[str, Any], locate: Callable[[tuple[str | int, ...]], str]
) -> None:
    """Refuse the whole file, and record who tried, when it would write a field or a procedure
    outside the actor's scope. A record the file leaves as it is (an exported catalogue's other
    agencies) is not a write."""
    scope = catalog_agency_scope(actor=actor)
    if scope is None:
        return
    agency_ids = dict(Agency.objects.values_list("code", "pk"))
    errors: list[CatalogError] = []
    refused: dict[str, list[str]] = {"fields": [], "procedures": []}

    def refuse(path: tuple[str, int], code: str, message: str) -> None:
        errors.append(CatalogError(path=path, message=message, location=locate(path)))
        refused[path[0]].append(code)

    fields = {f.code: f for f in Field.objects.all()}
    for index, item in enumerate(document.get("fields", [])):
        agency_id = agency_ids.get(item.get("managing_agency", ""))
        field = fields.get(item["code"])
        if field is not None and (field.name, field.managing_agency_id) == (item["name"], agency_id):
            continue
        if not {agency_id, field.managing_agency_id if field else agency_id} <= scope:
            message = _(
                "Lĩnh vực %(code)s nằm ngoài phạm vi quản trị của bạn: "
                "chỉ được thêm, sửa lĩnh vực do cơ quan mình quản lý."
            )
            refuse(("fields", index), item["code"], message % {"code": item["code"]})
    existing = {p.code: p for p in Procedure.objects.select_related("current_version")}
    for index, item in enumerate(document["procedures"]):
        content = procedure_normalised(item)
        procedure = existing.get(item["code"])
        if _is_current(procedure, content):
            continue
        agency_id = agency_ids.get(content["managing_agency"])
        if not {agency_id, procedure.managing_agency_id if procedure else agency_id} <= scope:
            refuse(("procedures", index), item["code"], _out_of_scope_message(item["code"]))
    if not errors:
        return
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="catalog.import_refused_scope",
            object_type="catalog",
            object_id="catalog",
            object_repr=_("Danh mục thủ tục"),
            summary=refused,
        )
    codes = ", ".join(refused["fields"] + refused["procedures"])
    message = _("Tệp danh mục có bản ghi ngoài phạm vi quản trị của bạn (%(codes)s); không có thay đổi nào được ghi.")
    raise CatalogImportRefused(errors, message % {"codes": codes})


def catalog_export() -> dict[str, Any]:
    """The whole published catalogue as one exchange document."""
    fields = [
        {"code": f.code, "name": f.name, **({"managing_agency": f.managing_agency.code} if f.managing_agency else {})}
        for f in Field.objects.select_related("managing_agency").order_by("code")
    ]
    procedures = []
    versions = (
        ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED)
        .select_related("procedure", "field", "managing_agency")
        .prefetch_related("fees", "components")
    )
    for version in versions.order_by("procedure__code"):
        content = procedure_version_content(version=version)
        for optional in ("managing_agency", "verification"):
            if not content[optional]:
                del content[optional]
        # Stated even when off, so a re-import does not read a rule back from the time note.
        content.setdefault("same_day", False)
        content.setdefault("reception_cutoff", "")
        procedures.append({"code": version.procedure.code, **content})
    return {"format": FORMAT_ID, "fields": fields, "procedures": procedures}


def catalog_import_file(
    *, actor: Any, content: bytes, file_kind: str, progress: Progress | None = None
) -> ImportReport:
    """Parse a JSON or Excel file and import it; refused whole on any error."""
    parsed = parse_catalog_file(content=content, file_kind=file_kind)
    if parsed.errors:
        raise CatalogImportRefused(parsed.errors)
    return catalog_import(actor=actor, document=parsed.document, locate=parsed.locate, progress=progress)


def catalog_import_job_create(*, actor: Any, upload: Any) -> CatalogImportJob:
    """Keep the uploaded file and queue its import; the page then follows the job's progress."""
    from motcua.catalog.tasks import catalog_import_job_run

    file_kind = catalog_file_kind(upload.name)
    if file_kind is None:
        raise ApplicationError(_("Chỉ nhận tệp .json hoặc .xlsx."), code="catalog_file_kind")
    if upload.size > MAX_IMPORT_BYTES:
        raise ApplicationError(_("Tệp quá lớn (tối đa 20 MB)."), code="catalog_file_size")
    with transaction.atomic():
        job = CatalogImportJob.objects.create(created_by=actor, file=upload, file_kind=file_kind)
        audit_record(actor=actor, action="catalog.import_queued", obj=job)
        enqueue_on_commit(catalog_import_job_run, job_id=job.pk)
    return job


def catalog_import_job_execute(*, job_id: int) -> bool:
    """Run a queued import; False when another run (a replayed task, the sweep) claimed it.

    The import and its outcome commit together, in one transaction that holds the job's row
    lock while it runs: a worker that dies mid-import leaves nothing behind but a "running" job
    whose lock is gone, which the sweep starts again (catalog_import_jobs_resume).
    """
    # Claiming the job with a conditional update means a replayed task never imports twice.
    if not CatalogImportJob.objects.filter(pk=job_id, status=ImportJobStatus.PENDING).update(
        status=ImportJobStatus.RUNNING, claimed_at=timezone.now()
    ):
        return False
    job = CatalogImportJob.objects.select_related("created_by").get(pk=job_id)

    def progress(done: int, total: int) -> None:
        # The import holds one transaction until it commits, so progress goes through the
        # cache (shared by web and worker processes), not through the database.
        cache.set(import_progress_key(job_id), (done, total), timeout=3600)

    with job.file.open("rb") as handle:
        content = handle.read()
    with transaction.atomic():
        CatalogImportJob.objects.select_for_update().get(pk=job_id)  # held until the outcome commits
        try:
            report = catalog_import_file(
                actor=job.created_by, content=content, file_kind=job.file_kind, progress=progress
            )
        except CatalogImportRefused as refused:
            errors = [{"location": e.location, "message": e.message} for e in refused.errors]
            CatalogImportJob.objects.filter(pk=job_id).update(status=ImportJobStatus.REFUSED, errors=errors)
            return True
        total = len(report.created) + len(report.updated) + len(report.unchanged)
        CatalogImportJob.objects.filter(pk=job_id).update(
            status=ImportJobStatus.DONE, report=report.as_dict(), done=total, total=total
        )
    return True


# How long a queued import may wait for its job before the sweep starts it: the job normally
# starts within seconds, and one started twice is imported once anyway (the claim above).
IMPORT_JOB_GRACE = datetime.timedelta(minutes=1)


def catalog_import_jobs_resume() -> list[int]:
    """Start the imports still waiting after the grace period (their queued job was lost: a
    queue down at upload, or restarted empty) and those whose run died; the ids this call ran."""
    _catalog_import_dead_runs_release()
    waiting = CatalogImportJob.objects.filter(
        status=ImportJobStatus.PENDING, created_at__lte=timezone.now() - IMPORT_JOB_GRACE
    ).order_by("id")
    ran = []
    for job_id in waiting.values_list("pk", flat=True):
        if catalog_import_job_execute(job_id=job_id):
            ran.append(job_id)
    return ran


def _catalog_import_dead_runs_release() -> None:
    """Put back in the queue the "running" jobs no run holds any more (its worker died).

    A live run holds its job's row lock (PostgreSQL), so `skip_locked` passes it by; on SQLite a
    live run holds the database's write lock, so this waits, fails and tries at the next sweep.
    The grace period covers a run between its claim and its transaction.
    """
    try:
        with transaction.atomic():
            dead = (
                CatalogImportJob.objects.select_for_update(skip_locked=True)
                .filter(status=ImportJobStatus.RUNNING, claimed_at__lte=timezone.now() - IMPORT_JOB_GRACE)
                .values_list("pk", flat=True)
            )
            released = CatalogImportJob.objects.filter(pk__in=list(dead)).update(
                status=ImportJobStatus.PENDING, claimed_at=None
            )
    except OperationalError:
        logger.info("Catalogue import sweep: an import is running, dead runs are looked for later")
        return
    if released:
        logger.warning("Catalogue import sweep: %d import(s) whose worker died queued again", released)


def import_progress_key(job_id: int) -> str:
    return f"catalog-import-progress:{job_id}"
