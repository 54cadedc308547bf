"""Processes as data: the route a dossier takes through agencies, units and roles.

A process belongs to one procedure version. It is edited as a draft, checked by
`process_validate` and published by `process_publish`; a published process never changes and
the one published before it is retired. A dossier pins the process it was received under
(`Dossier.process`), so publishing a new process only affects dossiers received afterwards.

Steps share one position when they run in parallel; the next position starts when every step
of the previous one is done. Allotted times are working time: the *critical path* (for each
position, the longest of its steps) must fit in the procedure's legal processing time.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any, Final

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from motcua.catalog.constants import AgencySource, CatalogSource, StepKind, TimeUnit, VersionStatus
from motcua.catalog.models import Procedure, ProcedureVersion, Process, ProcessStep
from motcua.core.audit import audit_record
from motcua.core.errors import ApplicationError
from motcua.core.workdays import get_calendar
from motcua.directory.constants import OrgUnitKind, Role

_HUNDREDTH: Final = Decimal("0.01")
# The largest value ProcessStep.allotted can hold (max_digits=6, decimal_places=2).
_MAX_ALLOTTED: Final = Decimal("9999.99")

# The roles that may do a step of a process at all, and which of them fit each kind of step.
PROCESS_ROLES: Final = (Role.RECEPTION, Role.SPECIALIST, Role.LEADER, Role.CLERK)
ROLES_BY_KIND: Final[dict[str, tuple[str, ...]]] = {
    StepKind.RECEPTION: (Role.RECEPTION,),
    StepKind.PROCESS: (Role.SPECIALIST, Role.LEADER),
    StepKind.APPROVE: (Role.LEADER,),
    StepKind.ISSUE: (Role.CLERK,),
    StepKind.RETURN: (Role.RECEPTION,),
}
# Kinds that must occur exactly once, each alone at its position.
_SINGLE_KINDS: Final = (StepKind.APPROVE, StepKind.ISSUE, StepKind.RETURN)


@dataclass(frozen=True)
class _DefaultStep:
    code: str
    name: str
    kind: str
    agency_source: str
    org_unit_kind: str
    role: str
    share: Decimal  # of the legal processing time
    return_to: tuple[str, ...] = ()


def _default_steps() -> list[_DefaultStep]:
    # Built on call so the names are translated in the active language.
    return [
        _DefaultStep(
            "tiep-nhan",
            _("Tiếp nhận hồ sơ"),
            StepKind.RECEPTION,
            AgencySource.RECEIVING,
            OrgUnitKind.ONE_STOP,
            Role.RECEPTION,
            Decimal("0.10"),
        ),
        _DefaultStep(
            "tham-dinh",
            _("Thẩm định, xử lý hồ sơ"),
            StepKind.PROCESS,
            AgencySource.PROCESSING,
            OrgUnitKind.DIVISION,
            Role.SPECIALIST,
            Decimal("0.50"),
        ),
        _DefaultStep(
            "phe-duyet",
            _("Lãnh đạo phê duyệt, ký"),
            StepKind.APPROVE,
            AgencySource.PROCESSING,
            "",
            Role.LEADER,
            Decimal("0.20"),
            ("tham-dinh",),
        ),
        _DefaultStep(
            "phat-hanh",
            _("Văn thư vào sổ, phát hành"),
            StepKind.ISSUE,
            AgencySource.PROCESSING,
            "",
            Role.CLERK,
            Decimal("0.10"),
        ),
        _DefaultStep(
            "tra-ket-qua",
            _("Trả kết quả"),
            StepKind.RETURN,
            AgencySource.RECEIVING,
            OrgUnitKind.ONE_STOP,
            Role.RECEPTION,
            Decimal("0.10"),
        ),
    ]


# --- Working time ------------------------------------------------------------------------------


def _day_hours() -> Fraction:
    """The office time of one working day, in hours (7,5 with the default office hours)."""
    return Fraction(get_calendar().day_length.total_seconds()) / 3600


def _hours(amount: Decimal, unit: str, *, day_hours: Fraction) -> Fraction:
    """An amount of working time in hours, exactly (day lengths need not be whole hundredths)."""
    value = Fraction(amount)
    return value * day_hours if unit == TimeUnit.WORKING_DAY else value


def _legal_hours(version: ProcedureVersion, *, day_hours: Fraction) -> Fraction:
    return _hours(version.processing_time, version.processing_time_unit, day_hours=day_hours)


def _critical_path_hours(steps: Iterable[ProcessStep], *, day_hours: Fraction) -> Fraction:
    """Sum over positions of the longest step there: parallel steps overlap in time."""
    longest: dict[int, Fraction] = defaultdict(Fraction)
    for step in steps:
        longest[step.position] = max(
            longest[step.position], _hours(step.allotted or Decimal(0), step.allotted_unit, day_hours=day_hours)
        )
    return sum(longest.values(), Fraction(0))


def _floor_hundredths(value: Fraction) -> Decimal:
    """`value` rounded down to 0.01, so a sum of such amounts never exceeds it."""
    hundredths = value.numerator * 100 // value.denominator
    return Decimal(hundredths) / 100


def _number_vi(value: Decimal | Fraction) -> str:
    """7.5 → "7,5", 1234.25 → "1.234,25": Vietnamese separators, at most two decimals."""
    number = (
        Decimal(value.numerator) / Decimal(value.denominator) if isinstance(value, Fraction) else Decimal(value)
    ).quantize(_HUNDREDTH, rounding=ROUND_HALF_UP)
    whole, _dot, fraction = f"{abs(number):,.2f}".partition(".")
    text = whole.replace(",", ".")
    fraction = fraction.rstrip("0")
    if fraction:
        text = f"{text},{fraction}"
    return f"-{text}" if number < 0 else text


def _amount_vi(amount: Decimal | Fraction, unit: str) -> str:
    """ "2,5 giờ làm việc", "1 ngày làm việc"."""
    return f"{_number_vi(amount)} {TimeUnit(unit).label}"


# --- Reads -------------------------------------------------------------------------------------


def _steps_of(process: Process) -> list[ProcessStep]:
    return list(process.steps.select_related("agency").order_by("position", "id"))


def _newest_published(version: ProcedureVersion) -> Process | None:
    return (
        Process.objects.filter(version=version, status=VersionStatus.PUBLISHED)
        .order_by("-published_at", "-number")
        .first()
    )


def _next_number(version: ProcedureVersion) -> int:
    last = Process.objects.filter(version=version).aggregate(last=Max("number"))["last"]
    return int(last or 0) + 1


def _lock_version(version: ProcedureVersion) -> None:
    """Serialise writers of one version's processes (numbers, the one published process)."""
    ProcedureVersion.objects.select_for_update().filter(pk=version.pk).exists()


# --- Validation --------------------------------------------------------------------------------


def _step_label(step: ProcessStep) -> str:
    return _("Bước “%(name)s” (%(code)s)") % {"name": step.name, "code": step.code}


def _structure_errors(steps: Sequence[ProcessStep]) -> list[str]:
    """Positions, the reception step and the approve/issue/return sequence."""
    errors: list[str] = []
    positions = sorted({step.position for step in steps})
    if positions != list(range(1, len(positions) + 1)):
        errors.append(
            _("Thứ tự các bước phải bắt đầu từ 1 và liên tục, không bỏ trống số nào (hiện có: %(positions)s).")
            % {"positions": ", ".join(str(p) for p in positions)}
        )
    by_position: dict[int, list[ProcessStep]] = defaultdict(list)
    for step in steps:
        by_position[step.position].append(step)
    first = by_position.get(min(positions), []) if positions else []
    if len(first) != 1 or first[0].kind != StepKind.RECEPTION or first[0].position != 1:
        errors.append(_("Thứ tự 1 phải là đúng một bước “Tiếp nhận hồ sơ”, không có bước song song."))
    receptions = [step for step in steps if step.kind == StepKind.RECEPTION]
    if len(receptions) > 1:
        errors.append(_("Quy trình chỉ được có một bước tiếp nhận hồ sơ."))
    for step in steps:
        if step.kind == StepKind.CONSULT:
            errors.append(
                _(
                    "%(step)s: bước “Cho ý kiến (phối hợp)” không dùng trong quy trình; "
                    "ý kiến phối hợp được xin trong khi xử lý một bước."
                )
                % {"step": _step_label(step)}
            )
    single_positions: dict[str, int] = {}
    for kind in _SINGLE_KINDS:
        found = [step for step in steps if step.kind == kind]
        label = StepKind(kind).label
        if len(found) != 1:
            errors.append(
                _("Quy trình phải có đúng một bước “%(kind)s” (hiện có %(count)d).")
                % {"kind": label, "count": len(found)}
            )
            continue
        step = found[0]
        single_positions[kind] = step.position
        if len(by_position[step.position]) > 1:
            errors.append(
                _("%(step)s: bước “%(kind)s” phải đứng riêng ở thứ tự %(position)d, không có bước song song.")
                % {"step": _step_label(step), "kind": label, "position": step.position}
            )
    if StepKind.RETURN in single_positions and positions and single_positions[StepKind.RETURN] != positions[-1]:
        errors.append(_("Bước “Trả kết quả” phải là bước cuối cùng của quy trình."))
    approve, issue, returned = (single_positions.get(kind) for kind in _SINGLE_KINDS)
    if approve is not None and issue is not None and not approve < issue:
        errors.append(_("Bước “Phê duyệt, ký” phải đứng trước bước “Vào sổ, phát hành kết quả”."))
    if issue is not None and returned is not None and not issue < returned:
        errors.append(_("Bước “Vào sổ, phát hành kết quả” phải đứng trước bước “Trả kết quả”."))
    return errors


def _step_errors(step: ProcessStep, *, codes: dict[str, ProcessStep]) -> list[str]:
    """Agency, role, returns and allotted time of one step."""
    errors: list[str] = []
    label = _step_label(step)
    if step.agency_source == AgencySource.FIXED and step.agency_id is None:
        errors.append(_("%(step)s: phải chọn cơ quan cố định thực hiện bước.") % {"step": label})
    if step.agency_source != AgencySource.FIXED and step.agency_id is not None:
        errors.append(_("%(step)s: chỉ chọn cơ quan khi cơ quan thực hiện là “Cơ quan cố định”.") % {"step": label})
    if step.role not in PROCESS_ROLES:
        errors.append(
            _("%(step)s: vai trò phải là cán bộ tiếp nhận, chuyên viên thụ lý, lãnh đạo hoặc văn thư.")
            % {"step": label}
        )
    elif step.kind in ROLES_BY_KIND and step.role not in ROLES_BY_KIND[step.kind]:
        errors.append(
            _("%(step)s: bước “%(kind)s” phải do %(roles)s thực hiện.")
            % {
                "step": label,
                "kind": StepKind(step.kind).label,
                "roles": _(" hoặc ").join(str(Role(role).label).lower() for role in ROLES_BY_KIND[step.kind]),
            }
        )
    if step.allotted is None or step.allotted <= 0:
        errors.append(_("%(step)s: thời gian thực hiện phải lớn hơn 0.") % {"step": label})
    return_to: Any = step.return_to
    if not isinstance(return_to, list) or not all(isinstance(code, str) for code in return_to):
        errors.append(_("%(step)s: “được trả về bước” phải là danh sách mã bước.") % {"step": label})
        return errors
    for code in return_to:
        target = codes.get(code)
        if target is None:
            errors.append(_("%(step)s: không có bước mã “%(code)s” để trả hồ sơ về.") % {"step": label, "code": code})
        elif target.kind == StepKind.RECEPTION:
            errors.append(
                _("%(step)s: không được trả hồ sơ về bước tiếp nhận “%(target)s”.")
                % {"step": label, "target": target.name}
            )
        elif target.position >= step.position:
            errors.append(
                _("%(step)s: chỉ được trả hồ sơ về bước đứng trước, “%(target)s” không đứng trước.")
                % {"step": label, "target": target.name}
            )
    return errors


def process_validate(*, process: Process) -> list[str]:
    """What stops `process` from being published, in Vietnamese; empty when it is valid."""
    steps = _steps_of(process)
    if not steps:
        return [_("Quy trình phải có ít nhất một bước.")]
    codes = {step.code: step for step in steps}
    errors = _structure_errors(steps)
    for step in steps:
        errors.extend(_step_errors(step, codes=codes))
    day_hours = _day_hours()
    critical = _critical_path_hours(steps, day_hours=day_hours)
    legal = _legal_hours(process.version, day_hours=day_hours)
    if critical > legal:
        errors.append(
            _(
                "Tổng thời gian theo các bước (tính bước dài nhất ở mỗi thứ tự) là %(critical)s, "
                "vượt thời hạn giải quyết theo quy định %(legal)s."
            )
            % {
                "critical": _amount_vi(critical, TimeUnit.WORKING_HOUR),
                "legal": _amount_vi(legal, TimeUnit.WORKING_HOUR),
            }
        )
    return errors


# --- Writes ------------------------------------------------------------------------------------


def _publish_locked(*, process: Process, actor: Any, default: bool = False) -> Process:
    """Publish a locked, valid draft and retire the version's other published processes.

    Dossiers keep a foreign key to the process they were received under, so retiring a process
    changes nothing for them.
    """
    retired = list(
        Process.objects.filter(version_id=process.version_id, status=VersionStatus.PUBLISHED)
        .exclude(pk=process.pk)
        .values_list("number", flat=True)
    )
    Process.objects.filter(version_id=process.version_id, number__in=retired).update(status=VersionStatus.RETIRED)
    process.status = VersionStatus.PUBLISHED
    process.published_at = timezone.now()
    process.save(update_fields=["status", "published_at"])
    audit_record(
        actor=actor,
        action="catalog.process_published",
        obj=process,
        summary={"version": process.version_id, "number": process.number, "retired": retired, "default": default},
    )
    return process


def _refuse_invalid(problems: list[str]) -> None:
    if problems:
        raise ApplicationError(
            _("Quy trình chưa thể công bố: %(problems)s") % {"problems": " ".join(problems)},
            code="process_invalid",
            extra={"problems": problems},
        )


def _default_allotments(version: ProcedureVersion) -> tuple[list[Decimal], str]:
    """The default steps' allotted times and their unit, summing exactly to the legal time.

    Hours, each share rounded to 0.01 h and the rounding remainder given to the processing
    step. When the legal time in hours has more than two decimals (an unusual length of the
    office day) the total is rounded down so the steps still fit in the legal time; when it is
    too long for the column, the shares are counted in working days instead.
    """
    day_hours = _day_hours()
    unit = TimeUnit.WORKING_HOUR
    total = _floor_hundredths(_legal_hours(version, day_hours=day_hours))
    if total > _MAX_ALLOTTED:
        unit = TimeUnit.WORKING_DAY
        total = _floor_hundredths(_legal_hours(version, day_hours=day_hours) / day_hours)
    steps = _default_steps()
    amounts = [(total * step.share).quantize(_HUNDREDTH, rounding=ROUND_HALF_UP) for step in steps]
    processing = next(i for i, step in enumerate(steps) if step.code == "tham-dinh")
    amounts[processing] += total - sum(amounts, Decimal(0))
    return amounts, unit


def process_default_build(*, version: ProcedureVersion, actor: Any) -> Process:
    """Create and publish the default five-step process of `version`.

    Reception at the receiving agency's one-stop unit, processing by a specialist of the
    processing agency's division, approval by its leader, issue by its clerk, return at the
    one-stop unit; the legal time is shared 10/50/20/10/10 %.
    """
    with transaction.atomic():
        _lock_version(version)
        version = ProcedureVersion.objects.get(pk=version.pk)
        process = Process.objects.create(
            version=version,
            number=_next_number(version),
            name=_("Quy trình mặc định"),
            status=VersionStatus.DRAFT,
        )
        ProcessStep.objects.bulk_create(_default_process_steps(process))
        _refuse_invalid(process_validate(process=process))
        return _publish_locked(process=process, actor=actor, default=True)


def _default_process_steps(process: Process) -> list[ProcessStep]:
    """The default steps of `process` (unsaved), their times shared from its version's."""
    amounts, unit = _default_allotments(process.version)
    return [
        ProcessStep(
            process=process,
            position=position,
            code=step.code,
            name=step.name,
            kind=step.kind,
            agency_source=step.agency_source,
            org_unit_kind=step.org_unit_kind,
            role=step.role,
            allotted=amount,
            allotted_unit=unit,
            return_to=list(step.return_to),
        )
        for position, (step, amount) in enumerate(zip(_default_steps(), amounts, strict=True), start=1)
    ]


def process_defaults_bulk(*, versions: Sequence[ProcedureVersion], actor: Any) -> int:
    """Give each of many new versions (without any process yet) the default process, published,
    in a few queries: the national import creates thousands at once. The default steps are
    valid by construction (the same as `process_default_build`, which checks them)."""
    now = timezone.now()
    processes = Process.objects.bulk_create(
        Process(
            version=version,
            number=1,
            name=_("Quy trình mặc định"),
            status=VersionStatus.PUBLISHED,
            published_at=now,
        )
        for version in versions
    )
    ProcessStep.objects.bulk_create(step for process in processes for step in _default_process_steps(process))
    if processes:
        audit_record(
            actor=actor,
            action="catalog.process_defaults_built",
            object_type="catalog",
            object_id="catalog",
            object_repr=_("Danh mục thủ tục"),
            summary={"count": len(processes)},
        )
    return len(processes)


def process_current(*, version: ProcedureVersion) -> Process:
    """The process new dossiers of `version` follow: its newest published one.

    A version without a published process (an imported procedure nobody has set up yet) gets
    the default process, built once. Safe inside the caller's transaction: the build runs in a
    savepoint and holds the version's row lock, so concurrent callers build it only once.
    """
    found = _newest_published(version)
    if found is not None:
        return found
    with transaction.atomic():
        _lock_version(version)
        found = _newest_published(version)
        if found is not None:
            return found
        return process_default_build(version=version, actor="system")


def process_publish(*, process: Process, actor: Any) -> Process:
    """Publish a valid draft; the process published before it for the same version is retired."""
    with transaction.atomic():
        _lock_version(process.version)
        process = Process.objects.select_for_update().select_related("version").get(pk=process.pk)
        if process.status != VersionStatus.DRAFT:
            raise ApplicationError(_("Chỉ có thể công bố quy trình ở trạng thái nháp."), code="process_not_draft")
        _refuse_invalid(process_validate(process=process))
        return _publish_locked(process=process, actor=actor)


def process_draft_from(*, process: Process, actor: Any) -> Process:
    """A new draft of the same version copied from `process`, numbered after the newest one.

    Refused while the version already has a draft, so administrators never edit two drafts of
    one process at once.
    """
    with transaction.atomic():
        _lock_version(process.version)
        source = Process.objects.select_related("version").get(pk=process.pk)
        if Process.objects.filter(version_id=source.version_id, status=VersionStatus.DRAFT).exists():
            raise ApplicationError(
                _("Thủ tục này đã có một quy trình nháp đang chờ công bố."), code="process_draft_exists"
            )
        draft = Process.objects.create(
            version=source.version,
            number=_next_number(source.version),
            name=source.name,
            status=VersionStatus.DRAFT,
        )
        ProcessStep.objects.bulk_create(
            ProcessStep(
                process=draft,
                position=step.position,
                code=step.code,
                name=step.name,
                kind=step.kind,
                agency_source=step.agency_source,
                agency_id=step.agency_id,
                org_unit_kind=step.org_unit_kind,
                role=step.role,
                allotted=step.allotted,
                allotted_unit=step.allotted_unit,
                return_to=list(step.return_to or []),
            )
            for step in _steps_of(source)
        )
        audit_record(
            actor=actor,
            action="catalog.process_draft_created",
            obj=draft,
            summary={"version": draft.version_id, "number": draft.number, "from": source.number},
        )
    return draft


def process_defaults_ensure(*, actor: Any) -> int:
    """Give every procedure's current version without a published process the default one.

    Returns how many were built; a second run builds none.
    """
    # Information-only procedures are not filed in this system (see catalog/national.py).
    current = (
        Procedure.objects.filter(current_version__isnull=False)
        .exclude(source=CatalogSource.NATIONAL_INDEX)
        .values("current_version")
    )
    missing = (
        ProcedureVersion.objects.filter(pk__in=current)
        .exclude(processes__status=VersionStatus.PUBLISHED)
        .order_by("pk")
    )
    built = 0
    for version in missing:
        with transaction.atomic():
            _lock_version(version)
            if _newest_published(version) is None:
                process_default_build(version=version, actor=actor)
                built += 1
    return built


# --- Diagram -----------------------------------------------------------------------------------


def _step_agency_label(step: ProcessStep) -> str:
    if step.agency_source == AgencySource.FIXED:
        who = step.agency.name if step.agency is not None else _("(chưa chọn cơ quan)")
    else:
        who = str(AgencySource(step.agency_source).label)
    if step.org_unit_kind:
        who = f"{who} – {OrgUnitKind(step.org_unit_kind).label}"
    return who


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _step_box(step: ProcessStep) -> SafeString:
    allotted = _amount_vi(step.allotted, step.allotted_unit) if step.allotted is not None else "—"
    return format_html(
        '<li class="mc-process__step mc-process__step--{kind}">'
        '<p class="mc-process__name">{name}</p>'
        '<dl class="mc-process__facts">'
        "<dt>{kind_term}</dt><dd>{kind_label}</dd>"
        "<dt>{role_term}</dt><dd>{role}</dd>"
        "<dt>{agency_term}</dt><dd>{agency}</dd>"
        "<dt>{time_term}</dt><dd>{allotted}</dd>"
        "</dl></li>",
        kind=step.kind,
        name=step.name,
        kind_term=_("Loại bước"),
        kind_label=_label(StepKind, step.kind),
        role_term=_("Vai trò"),
        role=_label(Role, step.role),
        agency_term=_("Cơ quan"),
        agency=_step_agency_label(step),
        time_term=_("Thời gian"),
        allotted=allotted,
    )


def _stage(position: int, steps: list[ProcessStep]) -> SafeString:
    if len(steps) > 1:
        heading = _("Thứ tự %(position)d – %(count)d bước song song") % {"position": position, "count": len(steps)}
    else:
        heading = _("Thứ tự %(position)d") % {"position": position}
    return format_html(
        '<li class="mc-process__stage"><p class="mc-process__stage-label">{}</p>'
        '<ul class="mc-process__steps">{}</ul></li>',
        heading,
        format_html_join("", "{}", ((_step_box(step),) for step in steps)),
    )


def process_diagram_html(*, process: Process) -> SafeString:
    """The process drawn as HTML: one column per position (parallel steps stacked), arrows
    between them, the allowed returns and the critical path against the legal time.

    No script, no inline style: the layout is in static/motcua/process-diagram.css.
    """
    steps = _steps_of(process)
    if not steps:
        return format_html('<p class="mc-process__empty">{}</p>', _("Quy trình chưa có bước nào."))
    by_position: dict[int, list[ProcessStep]] = defaultdict(list)
    for step in steps:
        by_position[step.position].append(step)
    names = {step.code: step.name for step in steps}
    returns = [
        (step.name, ", ".join(names.get(str(code)) or str(code) for code in step.return_to))
        for step in steps
        if isinstance(step.return_to, list) and step.return_to
    ]
    day_hours = _day_hours()
    critical = _critical_path_hours(steps, day_hours=day_hours)
    legal = _legal_hours(process.version, day_hours=day_hours)
    returns_html = (
        format_html(
            '<h3 class="mc-process__heading">{}</h3><ul class="mc-process__returns">{}</ul>',
            _("Được trả hồ sơ về bước trước"),
            format_html_join(
                "",
                "<li>{} → {} {}</li>",
                ((name, _("có thể trả về:"), targets) for name, targets in returns),
            ),
        )
        if returns
        else SafeString("")
    )
    version = process.version
    legal_text = _amount_vi(version.processing_time, version.processing_time_unit)
    if version.processing_time_unit == TimeUnit.WORKING_DAY:
        legal_text = f"{legal_text} ({_amount_vi(legal, TimeUnit.WORKING_HOUR)})"
    return format_html(
        '<div class="mc-process">'
        '<ol class="mc-process__flow" aria-label="{flow_label}">{stages}</ol>'
        "{returns}"
        '<p class="mc-process__total mc-process__total--{state}">'
        "{critical_label} <strong>{critical}</strong>; {legal_label} <strong>{legal}</strong>.{verdict}"
        "</p></div>",
        flow_label=_("Các bước của quy trình theo thứ tự"),
        stages=format_html_join("", "{}", ((_stage(p, by_position[p]),) for p in sorted(by_position))),
        returns=returns_html,
        state="over" if critical > legal else "ok",
        critical_label=_("Tổng thời gian theo các bước (bước dài nhất ở mỗi thứ tự):"),
        critical=_amount_vi(critical, TimeUnit.WORKING_HOUR),
        legal_label=_("thời hạn giải quyết theo quy định:"),
        legal=legal_text,
        verdict=format_html(" {}", _("Vượt thời hạn!")) if critical > legal else "",
    )
