"""The demo province loads completely and idempotently, and the real catalogue answers the
searches the issue names. On the production profile it is refused unless explicitly allowed, and
then never opens accounts with the published password unless told to."""

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from motcua.catalog.constants import CatalogSource, ProcedureLevel, StepKind
from motcua.catalog.models import Field, Procedure, ProcedureVersion
from motcua.catalog.processes import process_current
from motcua.catalog.selectors import ProcedureFilters, procedure_search
from motcua.delivery.services import officer_may_deliver
from motcua.directory.constants import AgencyKind, Role
from motcua.directory.demo import DEMO_PASSWORD, demo_accounts, demo_commune
from motcua.directory.models import AdministrativeUnit, Agency, StaffRole
from motcua.dossiers.constants import DeliveryMethod, DossierStatus, Outcome, StepStatus
from motcua.dossiers.fees import fees_unpaid
from motcua.dossiers.models import Dossier, DossierStep
from motcua.dossiers.processing import (
    officer_holds_step,
    officer_may_act,
    process_step_place,
    step_approve,
    step_forward,
    step_hand_over,
    step_issue,
)
from motcua.dossiers.reception import dossier_accept
from motcua.dossiers.services import receiving_agency_for
from motcua.dossiers.testing import submitted_dossier
from motcua.payments.constants import PaymentMethod
from motcua.payments.counter import counter_payment_record
from motcua.reports.models import DailyDossierCount

pytestmark = pytest.mark.django_db


@pytest.mark.django_db(transaction=True)  # the sample dossiers read SMS codes sent after commit
def test_demo_province_is_complete_and_idempotent() -> None:
    call_command("load_demo")
    dossiers = dict(Dossier.objects.values_list("code", "status"))
    received = Dossier.objects.filter(received_at__isnull=False).count()
    assert (
        received
        and sum(
            row.received_online + row.received_counter + row.received_post_office + row.received_national_portal
            for row in DailyDossierCount.objects.all()
        )
        == received
    ), "the demo's daily report counts hold every received dossier"
    counts = (
        AdministrativeUnit.objects.count(),
        Agency.objects.count(),
        ProcedureVersion.objects.count(),
        StaffRole.objects.count(),
    )
    call_command("load_demo")
    assert dict(Dossier.objects.values_list("code", "status")) == dossiers, "sample dossiers are made once"
    assert counts == (
        AdministrativeUnit.objects.count(),
        Agency.objects.count(),
        ProcedureVersion.objects.count(),
        StaffRole.objects.count(),
    )

    assert Agency.objects.filter(kind=AgencyKind.DEPARTMENT).count() >= 14
    assert Agency.objects.filter(kind=AgencyKind.SERVICE_CENTRE).exists()
    assert AdministrativeUnit.objects.filter(parent__code="66", valid_from__isnull=False).count() >= 20
    assert AdministrativeUnit.objects.filter(kind="district").exists(), "the 2016 three-tier shape is kept"
    assert set(StaffRole.objects.values_list("role", flat=True)) == set(Role.values)
    # The postal clerk works at a post office serving the demo ward (docs/postal.md).
    postal = StaffRole.objects.get(user__username="buudien", role=Role.POSTAL)
    assert postal.post_office is not None
    assert postal.post_office.agencies.filter(kind=AgencyKind.COMMUNE_COMMITTEE).exists()

    assert Procedure.objects.count() >= 40
    assert Field.objects.filter(procedures__isnull=False).distinct().count() >= 10
    assert set(Procedure.objects.values_list("level", flat=True)) >= {"province", "commune"}

    # Every demo officer of the ward finds a sample dossier at their stage.
    assert sorted(dossiers.values()) == sorted(
        [DossierStatus.SUBMITTED, DossierStatus.IN_PROGRESS, DossierStatus.PAUSED]
        + [DossierStatus.IN_PROGRESS] * 2
        + [DossierStatus.RETURNED, DossierStatus.PROCESSED]
    )
    open_steps = DossierStep.objects.filter(status=StepStatus.ACTIVE)
    assert set(open_steps.exclude(kind=StepKind.RETURN).values_list("assignee__username", flat=True)) == {
        "xa.chuyenvien",
        "xa.lanhdao",
        "xa.vanthu",
    }
    # One result waits at the ward's counter, in the one-stop officer's reach.
    waiting = Dossier.objects.get(status=DossierStatus.PROCESSED)
    assert waiting.delivery_method == DeliveryMethod.COUNTER
    step = open_steps.get(kind=StepKind.RETURN)
    assert officer_may_deliver(officer=get_user_model().objects.get(username="xa.tiepnhan"), dossier=waiting)
    assert step.dossier_id == waiting.pk and step.assignee.username == "xa.tiepnhan"
    returned = Dossier.objects.get(status=DossierStatus.RETURNED)
    assert returned.result_document is not None and returned.result_document.number
    # Fees: two copies paid online through the demo gateway, one in cash at the counter, each
    # with its receipt in the ward's series; the dossier waiting at the counter still owes its copy.
    from motcua.payments.models import Receipt

    receipts = Receipt.objects.order_by("number")
    assert [(r.dossier_id, r.method, r.amount, r.number) for r in receipts] == [
        (returned.pk, "gateway", 16000, 1),
        (waiting.pk, "cash", 8000, 2),
    ]
    owing = Dossier.objects.get(status=DossierStatus.SUBMITTED)
    assert fees_unpaid(owing) == 8000


@pytest.mark.parametrize("query", ["dang ky khai sinh", "ĐĂNG KÝ KHAI SINH", "khai sinh"])
def test_real_catalogue_puts_birth_registration_first(query: str) -> None:
    call_command("load_demo", no_dossiers=True)
    first = procedure_search(filters=ProcedureFilters(query=query))[0]
    assert first.code == "1.001193"


def test_production_refuses_demo_without_explicit_permission(settings) -> None:
    settings.MOTCUA_PROFILE = "production"
    with pytest.raises(CommandError, match="--allow-production"):
        call_command("load_demo", no_dossiers=True)
    assert not get_user_model().objects.exists()
    assert not Agency.objects.exists()


def test_production_demo_accounts_get_random_passwords_shown_once(settings) -> None:
    settings.MOTCUA_PROFILE = "production"
    out = io.StringIO()
    call_command("load_demo", no_dossiers=True, allow_production=True, stdout=out)
    issued = dict(re.findall(r"^  (\S+) +(\S+)$", out.getvalue(), re.MULTILINE))
    users = {user.username: user for user in get_user_model().objects.all()}
    assert {"quantri", "tiepnhan", "0912345678"} <= set(issued)
    assert set(issued) == set(users), "every demo account is listed with its password"
    assert len(set(issued.values())) == len(issued)
    for username, password in issued.items():
        assert not users[username].check_password(DEMO_PASSWORD)
        assert users[username].check_password(password)

    again = io.StringIO()
    call_command("load_demo", no_dossiers=True, allow_production=True, stdout=again)
    assert "keep their passwords" in again.getvalue()
    assert not any(password in again.getvalue() for password in issued.values())
    assert get_user_model().objects.get(username="quantri").check_password(issued["quantri"])


@pytest.mark.parametrize(
    ("options", "demonstration_site"),
    [({"allow_production": True, "known_password": True}, False), ({}, True)],
    ids=["--known-password", "MOTCUA_ALLOW_DEMO_ACCOUNTS"],
)
def test_production_demo_with_published_password_only_when_told(settings, options, demonstration_site) -> None:
    settings.MOTCUA_PROFILE = "production"
    settings.MOTCUA_ALLOW_DEMO_ACCOUNTS = demonstration_site
    out = io.StringIO()
    call_command("load_demo", no_dossiers=True, stdout=out, **options)
    assert get_user_model().objects.get(username="quantri").check_password(DEMO_PASSWORD)
    assert f"password {DEMO_PASSWORD}" in out.getvalue()


def _demo_officers() -> list[Any]:
    return list(get_user_model().objects.filter(username__in=[a["username"] for a in demo_accounts()]))


def test_every_step_of_every_demo_process_has_a_demo_officer() -> None:
    call_command("load_demo", no_dossiers=True)
    officers = _demo_officers()
    commune = demo_commune()
    assert commune is not None
    filed_here = Procedure.objects.filter(current_version__isnull=False).exclude(source=CatalogSource.NATIONAL_INDEX)
    for procedure in filed_here.select_related("current_version"):
        version = procedure.current_version
        agency = receiving_agency_for(version=version, unit_code=commune.unit.code)
        dossier = Dossier(procedure_version=version, agency=agency)
        for process_step in process_current(version=version).steps.all():
            place, unit = process_step_place(process_step, dossier)
            step = DossierStep(agency=place, org_unit=unit, role=process_step.role)
            assert any(officer_may_act(officer=officer, step=step) for officer in officers), (
                f"{procedure.code} {process_step.code}: nobody at {place.code}"
            )


def test_demo_citizen_lives_where_the_commune_accounts_work_and_the_readme_lists_every_account() -> None:
    call_command("load_demo", no_dossiers=True)
    commune = demo_commune()
    hung = get_user_model().objects.get(username="0912345678")
    assert commune is not None and hung.citizen.address_unit == commune.unit
    assert StaffRole.objects.filter(user__username="xa.tiepnhan", agency=commune).exists()
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    assert commune.unit.name in readme
    missing = [a["username"] for a in demo_accounts() if f"`{a['username']}`" not in readme]
    assert not missing, "demo accounts missing from the README's table"


def _act(step: DossierStep, officer: Any) -> None:
    if step.kind == StepKind.PROCESS:
        step_forward(step=step, officer=officer, note="Hồ sơ đầy đủ, hợp lệ.", draft="Đồng ý.", revision=None)
    elif step.kind == StepKind.APPROVE:
        step_approve(step=step, leader=officer, decision=Outcome.GRANTED, note="", revision=None)
    elif step.kind == StepKind.ISSUE:
        step_issue(step=step, clerk=officer, revision=None)
    else:
        step_hand_over(step=step, officer=officer, note="Công dân đã nhận.", revision=None)


@pytest.mark.django_db(transaction=True)  # notifications run after commit
def test_dossiers_of_provincial_agencies_move_to_the_end_with_demo_officers() -> None:
    call_command("load_demo", no_dossiers=True)
    officers = _demo_officers()
    hung = get_user_model().objects.get(username="0912345678")
    provincial = (
        Procedure.objects.filter(current_version__level=ProcedureLevel.PROVINCE)
        .exclude(source=CatalogSource.NATIONAL_INDEX)  # information only, not filed here
        .select_related("current_version")
        .order_by("source", "code")  # the hand-checked procedures first
    )
    # One dossier per provincial agency that settles procedures: each agency's officers are tried.
    by_agency = {}
    for procedure in provincial:
        by_agency.setdefault(procedure.current_version.managing_agency.code, procedure)
    assert {"CAT", "STC", "SXD"} <= set(by_agency)
    for procedure in by_agency.values():
        dossier = submitted_dossier(hung, procedure.current_version, unit_code=None)
        reception = next(o for o in officers if o.staff_roles.filter(role=Role.RECEPTION, agency=dossier.agency))
        dossier_accept(dossier=dossier, officer=reception, revision=None)
        if fees_unpaid(dossier):
            counter_payment_record(dossier=dossier, officer=reception, method=PaymentMethod.CASH, revision=None)
        for _ in range(10):
            steps = list(DossierStep.objects.filter(dossier=dossier, status=StepStatus.ACTIVE))
            if not steps:
                break
            for step in steps:
                officer = next((o for o in officers if officer_holds_step(officer=o, step=step)), None)
                assert officer is not None, f"{procedure.code}: nobody may act on {step.name} at {step.agency}"
                _act(step, officer)
        dossier.refresh_from_db()
        assert dossier.status == DossierStatus.RETURNED, procedure.code
