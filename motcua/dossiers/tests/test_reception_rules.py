"""A procedure's own same-day and cut-off rules decide the appointment and the steps' due
instants: "trong ngày; nhận sau 15 giờ thì trả trong ngày làm việc tiếp theo"."""

import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from pypdf import PdfReader

from motcua.catalog.constants import StepKind, TimeUnit
from motcua.catalog.models import ProcedureVersion
from motcua.directory.constants import Role
from motcua.dossiers.constants import StepStatus, Timeliness
from motcua.dossiers.deadlines import dossier_timeliness
from motcua.dossiers.models import Dossier, DossierStep
from motcua.dossiers.processing import step_approve, step_forward, step_issue
from motcua.dossiers.reception import dossier_accept
from motcua.dossiers.services import due_instant
from motcua.dossiers.testing import officer, submitted_dossier

pytestmark = pytest.mark.django_db
VN = datetime.timezone(datetime.timedelta(hours=7))
FIFTEEN = datetime.time(15, 0)


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=VN)


def _version(*, same_day: bool = False, cutoff: datetime.time | None = None, time: str = "1", unit: str = "") -> Any:
    return ProcedureVersion(
        processing_time=Decimal(time),
        processing_time_unit=unit or TimeUnit.WORKING_DAY,
        same_day=same_day,
        reception_cutoff=cutoff,
    )


def _local(instant: datetime.datetime) -> datetime.datetime:
    return instant.astimezone(VN)


# Monday 30/11/2026, Friday 27/11/2026, Saturday 28/11/2026; Wednesday 2/9/2026 is National Day.
@pytest.mark.parametrize(
    ("received", "due"),
    [
        (at(11, 30, 14, 59), at(11, 30, 17)),  # before the cut-off: the same day, at closing
        (at(11, 30, 15, 0), at(12, 1, 17)),  # at the cut-off: the next working day
        (at(11, 30, 15, 1), at(12, 1, 17)),
        (at(11, 30, 7, 0), at(11, 30, 17)),  # before opening, still the same day
        (at(11, 27, 14, 59), at(11, 27, 17)),  # Friday before 15:00: Friday
        (at(11, 27, 15, 30), at(11, 30, 17)),  # Friday afternoon: Monday, not Saturday
        (at(11, 28, 9, 0), at(11, 30, 17)),  # Saturday: Monday
        (at(9, 2, 9, 0), at(9, 3, 17)),  # a public holiday: the next working day
    ],
)
def test_same_day_procedure_with_a_15_00_cut_off(received: datetime.datetime, due: datetime.datetime) -> None:
    assert due_instant(version=_version(same_day=True, cutoff=FIFTEEN), start=received) == due


def test_same_day_without_its_own_cut_off_keeps_the_global_16_00() -> None:
    version = _version(same_day=True)
    assert due_instant(version=version, start=at(11, 30, 15, 30)) == at(11, 30, 17)
    assert due_instant(version=version, start=at(11, 30, 16, 0)) == at(12, 1, 17)


def test_a_version_that_says_nothing_keeps_the_global_rule() -> None:
    """One working day from the counting start; the 16:00 cut-off of the settings."""
    version = _version()
    assert due_instant(version=version, start=at(11, 30, 15, 1)) == at(12, 1, 15, 1)
    assert due_instant(version=version, start=at(11, 30, 15, 59)) == at(12, 1, 15, 59)
    assert due_instant(version=version, start=at(11, 30, 16, 0)) == at(12, 2, 7, 30)


def test_a_cut_off_alone_moves_the_counting_start_of_a_longer_procedure() -> None:
    version = _version(cutoff=FIFTEEN, time="3")
    assert due_instant(version=version, start=at(11, 30, 14, 59)) == at(12, 3, 14, 59)
    # From Tuesday 07:30, three working days: Friday 07:30.
    assert due_instant(version=version, start=at(11, 30, 15, 0)) == at(12, 4, 7, 30)
    assert due_instant(version=version, start=at(11, 27, 15, 1)) == at(12, 3, 7, 30)


def test_an_hour_based_procedure_uses_its_cut_off_too() -> None:
    version = _version(cutoff=FIFTEEN, time="2", unit=TimeUnit.WORKING_HOUR)
    assert due_instant(version=version, start=at(11, 30, 14, 0)) == at(11, 30, 16)
    assert due_instant(version=version, start=at(11, 30, 15, 0)) == at(12, 1, 9, 30)


@pytest.fixture
def same_day_birth(birth_version):  # type: ignore[no-untyped-def]
    ProcedureVersion.objects.filter(pk=birth_version.pk).update(same_day=True, reception_cutoff=FIFTEEN)
    birth_version.refresh_from_db()
    return birth_version


def _accepted_at(instant, hung, version, reception):  # type: ignore[no-untyped-def]
    with time_machine.travel(instant, tick=False):
        dossier = submitted_dossier(hung, version)
        dossier_accept(dossier=dossier, officer=reception, revision=dossier.revision)
    return Dossier.objects.get(pk=dossier.pk)


def _active(dossier: Dossier, kind: str) -> DossierStep:
    return DossierStep.objects.get(dossier=dossier, kind=kind, status=StepStatus.ACTIVE)


def test_the_steps_of_a_same_day_process_share_the_rest_of_the_day(hung: Any, same_day_birth: Any) -> None:
    """Received Monday 14:00: three office hours are left, and the five default steps share
    them instead of each taking its part of 7 h 30; every step finished in time is on time."""
    staff = {
        "reception": officer("xa.tn"),
        "specialist": officer("xa.cv", role=Role.SPECIALIST),
        "leader": officer("xa.ld", role=Role.LEADER),
        "clerk": officer("xa.vt", role=Role.CLERK),
    }
    dossier = _accepted_at(at(11, 30, 14), hung, same_day_birth, staff["reception"])
    assert dossier.due_at == at(11, 30, 17)
    processing = DossierStep.objects.get(dossier=dossier, kind=StepKind.PROCESS)
    # 50 % of the legal time; 50 % of the three hours left is 1 h 30.
    assert processing.due_at == at(11, 30, 15, 30)
    specialist, leader, clerk = staff["specialist"], staff["leader"], staff["clerk"]
    with time_machine.travel(at(11, 30, 15), tick=False):
        step_forward(step=_active(dossier, StepKind.PROCESS), officer=specialist, note="", draft="x", revision=None)
    with time_machine.travel(at(11, 30, 15, 30), tick=False):
        step_approve(step=_active(dossier, StepKind.APPROVE), leader=leader, decision="granted", note="", revision=None)
    with time_machine.travel(at(11, 30, 16), tick=False):
        step_issue(step=_active(dossier, StepKind.ISSUE), clerk=clerk, revision=None)
    steps = list(DossierStep.objects.filter(dossier=dossier).order_by("pk"))
    assert len(steps) == 5
    assert all(_local(step.due_at).date() == datetime.date(2026, 11, 30) for step in steps)
    assert all(step.due_at <= dossier.due_at for step in steps)
    dossier.refresh_from_db()
    assert dossier_timeliness(dossier) == Timeliness.ON_TIME


def test_a_late_step_does_not_push_the_next_ones_past_the_appointment(hung: Any, same_day_birth: Any) -> None:
    reception, specialist = officer("xa.tn"), officer("xa.cv", role=Role.SPECIALIST)
    dossier = _accepted_at(at(11, 30, 9), hung, same_day_birth, reception)
    with time_machine.travel(at(11, 30, 16, 55), tick=False):
        step = DossierStep.objects.get(dossier=dossier, kind=StepKind.PROCESS)
        step_forward(step=step, officer=specialist, note="", draft="x", revision=None)
    approval = DossierStep.objects.get(dossier=dossier, kind=StepKind.APPROVE)
    assert approval.due_at == dossier.due_at == at(11, 30, 17)


@pytest.mark.parametrize(
    ("received", "appointment"),
    [(at(11, 30, 14, 59), "17 giờ 00 phút, ngày 30/11/2026"), (at(11, 30, 15, 1), "17 giờ 00 phút, ngày 01/12/2026")],
)
def test_the_receipt_shows_the_same_day_appointment(
    client: Any, hung: Any, same_day_birth: Any, received: datetime.datetime, appointment: str
) -> None:
    reception = officer("xa.tn")
    with time_machine.travel(received, tick=False):
        dossier = submitted_dossier(hung, same_day_birth)
        client.force_login(reception)
        response = client.post(f"/can-bo/ho-so/{dossier.pk}/", {"action": "accept", "revision": dossier.revision})
        assert response.status_code == 302
        slip = Dossier.objects.get(pk=dossier.pk).slips.get()
        pdf = client.get(f"/can-bo/ho-so/{dossier.pk}/phieu/{slip.pk}/")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.getvalue())).pages)
    assert f"Thời gian trả kết quả giải quyết hồ sơ: {appointment}" in " ".join(text.split())
