"""A procedure version's process is data: a default one shares the legal time exactly, a draft is
checked against the rules before it is published, publishing retires the previous process, and
the diagram shows every step safely escaped."""

from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from django.db import transaction

from motcua.catalog.constants import AgencySource, StepKind, TimeUnit, VersionStatus
from motcua.catalog.models import Procedure, ProcedureVersion, Process, ProcessStep
from motcua.catalog.processes import (
    process_current,
    process_default_build,
    process_defaults_ensure,
    process_diagram_html,
    process_draft_from,
    process_publish,
    process_validate,
)
from motcua.core.errors import ApplicationError
from motcua.core.models import AuditEvent
from motcua.core.testing import BIRTH, DEATH, load_catalog, procedure
from motcua.core.workdays import get_calendar
from motcua.directory.constants import OrgUnitKind, Role
from motcua.directory.models import Agency

pytestmark = pytest.mark.django_db


def _version(code: str = BIRTH["code"]) -> ProcedureVersion:
    version = Procedure.objects.get(code=code).current_version
    assert version is not None
    return version


def _day_hours() -> Fraction:
    return Fraction(get_calendar().day_length.total_seconds()) / 3600


def _vi(value: Fraction) -> str:
    """The figure as the messages write it ("7,5")."""
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _step(process: Process, code: str) -> ProcessStep:
    return process.steps.get(code=code)


def _add(process: Process, **fields: Any) -> ProcessStep:
    values: dict[str, Any] = {
        "name": "Bước thêm",
        "kind": StepKind.PROCESS,
        "agency_source": AgencySource.PROCESSING,
        "role": Role.SPECIALIST,
        "allotted": Decimal("0.5"),
        "allotted_unit": TimeUnit.WORKING_HOUR,
    }
    values.update(fields)
    return ProcessStep.objects.create(process=process, **values)


@pytest.fixture
def draft() -> Process:
    """A valid draft of birth registration (1 working day), copied from the default process."""
    load_catalog()
    return process_draft_from(process=process_current(version=_version()), actor="test")


# --- The default process ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "unit"),
    [(1, "working_day"), (0.5, "working_day"), (1, "working_hour"), (25, "working_day")],
)
def test_default_process_shares_the_legal_time_exactly(amount: float, unit: str) -> None:
    """The five default steps' allotted hours sum exactly to the legal processing time."""
    load_catalog(procedure("1.000001", "Thủ tục thử", processing_time=amount, processing_time_unit=unit))
    process = process_default_build(version=_version("1.000001"), actor="test")
    steps = list(process.steps.order_by("position"))
    legal = Fraction(str(amount)) * (_day_hours() if unit == "working_day" else 1)
    assert all(step.allotted_unit == TimeUnit.WORKING_HOUR for step in steps)
    assert sum(Fraction(step.allotted) for step in steps) == legal
    assert all(step.allotted > 0 for step in steps)
    assert process_validate(process=process) == []


def test_default_process_has_the_five_standard_steps() -> None:
    """Reception, processing, approval, issue and return, in sequence, with their roles and returns."""
    load_catalog()
    process = process_default_build(version=_version(), actor="test")
    rows = list(
        process.steps.order_by("position").values_list(
            "position", "code", "kind", "agency_source", "org_unit_kind", "role", "return_to"
        )
    )
    assert rows == [
        (1, "tiep-nhan", "reception", "receiving", OrgUnitKind.ONE_STOP, Role.RECEPTION, []),
        (2, "tham-dinh", "process", "processing", OrgUnitKind.DIVISION, Role.SPECIALIST, []),
        (3, "phe-duyet", "approve", "processing", "", Role.LEADER, ["tham-dinh"]),
        (4, "phat-hanh", "issue", "processing", "", Role.CLERK, []),
        (5, "tra-ket-qua", "return", "receiving", OrgUnitKind.ONE_STOP, Role.RECEPTION, []),
    ]
    assert process.name == "Quy trình mặc định" and process.number == 1
    assert process.status == VersionStatus.PUBLISHED and process.published_at is not None
    shares = [
        Fraction(a) / (_day_hours()) for a in process.steps.order_by("position").values_list("allotted", flat=True)
    ]
    assert shares == [Fraction(1, 10), Fraction(1, 2), Fraction(1, 5), Fraction(1, 10), Fraction(1, 10)]


def test_process_current_builds_the_default_only_once() -> None:
    """A version without a process gets the default on first use, inside a caller's transaction."""
    load_catalog()
    version = _version()
    with transaction.atomic():
        first = process_current(version=version)
    second = process_current(version=version)
    assert first.pk == second.pk
    assert Process.objects.filter(version=version).count() == 1


def test_process_current_is_the_newest_published_process(draft: Process) -> None:
    """Once a newer process is published, new dossiers follow it."""
    published = process_publish(process=draft, actor="test")
    assert process_current(version=_version()).pk == published.pk


def test_defaults_are_ensured_once_for_every_current_version() -> None:
    """Every procedure gets a default process; running it again builds nothing."""
    load_catalog(BIRTH, DEATH)
    process_current(version=_version())  # already has one
    assert process_defaults_ensure(actor="test") == 1
    assert process_defaults_ensure(actor="test") == 0
    assert Process.objects.filter(status=VersionStatus.PUBLISHED).count() == 2


# --- Drafts and publishing ----------------------------------------------------------------------


def test_draft_copies_the_steps_with_the_next_number(draft: Process) -> None:
    """A draft is numbered after the newest process and copies every step."""
    source = Process.objects.get(version=draft.version, number=1)
    assert draft.number == 2 and draft.status == VersionStatus.DRAFT
    fields = ("position", "code", "name", "kind", "role", "allotted", "allotted_unit", "return_to")
    assert list(draft.steps.values_list(*fields)) == list(source.steps.values_list(*fields))
    with pytest.raises(ApplicationError) as refused:
        process_draft_from(process=source, actor="test")
    assert refused.value.code == "process_draft_exists"


def test_publish_retires_the_previous_process(draft: Process) -> None:
    """Publishing a draft retires the published process; dossiers keep their own foreign key."""
    previous = Process.objects.get(version=draft.version, number=1)
    process_publish(process=draft, actor="test")
    draft.refresh_from_db()
    previous.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED and draft.published_at is not None
    assert previous.status == VersionStatus.RETIRED
    event = AuditEvent.objects.filter(action="catalog.process_published").latest("id")
    assert event.object_id == str(draft.pk) and event.summary["retired"] == [1]


def test_only_drafts_are_published(draft: Process) -> None:
    """A published process cannot be published again."""
    published = process_publish(process=draft, actor="test")
    with pytest.raises(ApplicationError) as refused:
        process_publish(process=published, actor="test")
    assert refused.value.code == "process_not_draft"


def test_invalid_draft_is_refused_with_every_problem(draft: Process) -> None:
    """Publishing an invalid draft changes nothing and lists the problems."""
    ProcessStep.objects.filter(process=draft, code="tham-dinh").update(allotted=0)
    ProcessStep.objects.filter(process=draft, code="phe-duyet").update(role=Role.CLERK)
    with pytest.raises(ApplicationError) as refused:
        process_publish(process=draft, actor="test")
    assert refused.value.code == "process_invalid"
    assert len(refused.value.extra["problems"]) == 2
    assert "thời gian thực hiện phải lớn hơn 0" in refused.value.message
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


# --- Validation rules ---------------------------------------------------------------------------


def _update(code: str, **fields: Any) -> Callable[[Process], None]:
    def change(process: Process) -> None:
        ProcessStep.objects.filter(process=process, code=code).update(**fields)

    return change


def _adding(**fields: Any) -> Callable[[Process], None]:
    def change(process: Process) -> None:
        _add(process, **fields)

    return change


def _both(*changes: Callable[[Process], None]) -> Callable[[Process], None]:
    def change(process: Process) -> None:
        for one in changes:
            one(process)

    return change


def _no_steps(process: Process) -> None:
    process.steps.all().delete()


def _shift_all(process: Process) -> None:
    for step in process.steps.order_by("-position"):
        step.position += 1
        step.save()


def _fixed_without_agency(process: Process) -> None:
    _update("tham-dinh", agency_source=AgencySource.FIXED)(process)


def _agency_not_fixed(process: Process) -> None:
    _update("tham-dinh", agency=Agency.objects.get(code="STP"))(process)


def _over_time(process: Process) -> None:
    step = _step(process, "tham-dinh")
    step.allotted += 1
    step.save()


RULES: list[tuple[str, Callable[[Process], None], str]] = [
    ("no steps", _no_steps, "Quy trình phải có ít nhất một bước."),
    ("gap in positions", _update("tra-ket-qua", position=7), "bắt đầu từ 1 và liên tục"),
    ("positions start at 2", _shift_all, "bắt đầu từ 1 và liên tục"),
    ("first is not reception", _update("tiep-nhan", kind=StepKind.PROCESS, role=Role.SPECIALIST), "Thứ tự 1 phải là"),
    ("parallel reception", _adding(code="them", position=1), "Thứ tự 1 phải là"),
    (
        "second reception",
        _adding(code="them", position=2, kind=StepKind.RECEPTION, role=Role.RECEPTION),
        "chỉ được có một bước tiếp nhận",
    ),
    (
        "two approvals",
        _update("phat-hanh", kind=StepKind.APPROVE, role=Role.LEADER),
        "đúng một bước “Phê duyệt, ký” (hiện có 2)",
    ),
    (
        "no issue",
        _update("phat-hanh", kind=StepKind.PROCESS, role=Role.SPECIALIST),
        "đúng một bước “Vào sổ, phát hành kết quả” (hiện có 0)",
    ),
    ("approval not alone", _adding(code="them", position=3), "phải đứng riêng ở thứ tự 3"),
    ("return not last", _adding(code="them", position=6), "“Trả kết quả” phải là bước cuối cùng"),
    (
        "issue before approval",
        _both(_update("phe-duyet", position=4), _update("phat-hanh", position=3)),
        "“Phê duyệt, ký” phải đứng trước",
    ),
    (
        "return before issue",
        _both(_update("phat-hanh", position=5), _update("tra-ket-qua", position=4)),
        "“Vào sổ, phát hành kết quả” phải đứng trước bước “Trả kết quả”",
    ),
    (
        "consult step",
        _adding(code="them", position=2, kind=StepKind.CONSULT),
        "không dùng trong quy trình",
    ),
    ("fixed without agency", _fixed_without_agency, "phải chọn cơ quan cố định"),
    ("agency but not fixed", _agency_not_fixed, "chỉ chọn cơ quan khi"),
    ("role outside processes", _update("tham-dinh", role=Role.POSTAL), "vai trò phải là"),
    ("approval by a specialist", _update("phe-duyet", role=Role.SPECIALIST), "phải do lãnh đạo phê duyệt thực hiện"),
    ("issue by a leader", _update("phat-hanh", role=Role.LEADER), "phải do văn thư thực hiện"),
    ("return by a clerk", _update("tra-ket-qua", role=Role.CLERK), "phải do cán bộ tiếp nhận (một cửa) thực hiện"),
    ("unknown return", _update("phe-duyet", return_to=["khong-co"]), "không có bước mã “khong-co”"),
    ("return forwards", _update("tham-dinh", return_to=["phe-duyet"]), "chỉ được trả hồ sơ về bước đứng trước"),
    ("return to reception", _update("phe-duyet", return_to=["tiep-nhan"]), "không được trả hồ sơ về bước tiếp nhận"),
    ("return_to not a list", _update("phe-duyet", return_to="tham-dinh"), "phải là danh sách mã bước"),
    ("zero time", _update("phat-hanh", allotted=0), "thời gian thực hiện phải lớn hơn 0"),
    ("over the legal time", _over_time, "vượt thời hạn giải quyết theo quy định"),
]


@pytest.mark.parametrize(("change", "expected"), [(c, e) for _n, c, e in RULES], ids=[n for n, _c, _e in RULES])
def test_each_rule_refuses_with_a_message(draft: Process, change: Callable[[Process], None], expected: str) -> None:
    """Each broken rule shows up as a Vietnamese message and blocks publishing."""
    assert process_validate(process=draft) == []
    change(draft)
    problems = process_validate(process=draft)
    assert any(expected in problem for problem in problems), problems
    with pytest.raises(ApplicationError):
        process_publish(process=draft, actor="test")


def test_over_time_message_gives_both_figures(draft: Process) -> None:
    """The critical-path message names the steps' total and the legal time, in hours."""
    _over_time(draft)
    legal = _day_hours()
    problems = process_validate(process=draft)
    assert any(f"{_vi(legal + 1)} giờ làm việc" in p and f"{_vi(legal)} giờ làm việc" in p for p in problems), problems


def test_parallel_steps_count_once_on_the_critical_path(draft: Process) -> None:
    """Steps at the same position overlap: only the longest counts towards the legal time."""
    thamdinh = _step(draft, "tham-dinh")
    _add(draft, code="song-song", position=2, allotted=thamdinh.allotted)
    fixed = _add(draft, code="so-xay-dung", position=2, allotted=Decimal("0.25"), agency_source=AgencySource.FIXED)
    fixed.agency = Agency.objects.get(code="STP")
    fixed.save()
    ProcessStep.objects.filter(process=draft, code="phe-duyet").update(return_to=["tham-dinh", "song-song"])
    assert process_validate(process=draft) == []


def test_working_day_allotments_are_converted_with_the_office_day(draft: Process) -> None:
    """A step counted in working days weighs as many hours as the office day has."""
    ProcessStep.objects.filter(process=draft).update(allotted=Decimal("0.1"), allotted_unit=TimeUnit.WORKING_DAY)
    ProcessStep.objects.filter(process=draft, code="tham-dinh").update(allotted=Decimal("0.6"))
    assert process_validate(process=draft) == []
    ProcessStep.objects.filter(process=draft, code="tham-dinh").update(allotted=Decimal("0.61"))
    assert any("vượt thời hạn" in p for p in process_validate(process=draft))


# --- Diagram ------------------------------------------------------------------------------------


def test_diagram_shows_steps_returns_and_times(draft: Process) -> None:
    """Every step with kind, role, agency and time; the allowed returns; the total vs the legal time."""
    ProcessStep.objects.filter(process=draft, code="tham-dinh").update(allotted=Decimal("2.5"))
    html = str(process_diagram_html(process=draft))
    assert html.count('class="mc-process__stage"') == 5
    assert "Thẩm định, xử lý hồ sơ" in html and "Chuyên viên thụ lý" in html
    assert "Cơ quan giải quyết thủ tục – Phòng chuyên môn" in html
    assert "2,5 giờ làm việc" in html
    assert "Lãnh đạo phê duyệt, ký → có thể trả về: Thẩm định, xử lý hồ sơ" in html
    assert f"1 ngày làm việc ({_vi(_day_hours())} giờ làm việc)" in html
    assert "style=" not in html and "<script" not in html


def test_diagram_stacks_parallel_steps_and_names_fixed_agencies(draft: Process) -> None:
    """Parallel steps share one column; a fixed agency is named."""
    step = _add(draft, code="xin-y-kien", position=2, agency_source=AgencySource.FIXED)
    step.agency = Agency.objects.get(code="STP")
    step.save()
    html = str(process_diagram_html(process=draft))
    assert html.count('class="mc-process__stage"') == 5
    assert "Thứ tự 2 – 2 bước song song" in html and "Sở Tư pháp" in html


def test_diagram_escapes_names(draft: Process) -> None:
    """Names typed by administrators are escaped, never rendered as HTML."""
    ProcessStep.objects.filter(process=draft, code="tham-dinh").update(name='<script>alert("x")</script>')
    html = str(process_diagram_html(process=draft))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "→ có thể trả về: &lt;script&gt;" in html


def test_diagram_flags_a_process_over_the_legal_time(draft: Process) -> None:
    """The total is marked when the critical path exceeds the legal time."""
    _over_time(draft)
    html = str(process_diagram_html(process=draft))
    assert "mc-process__total--over" in html and "Vượt thời hạn!" in html
