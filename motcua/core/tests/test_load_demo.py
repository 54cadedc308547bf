"""The demo province loads completely and idempotently, and the real catalogue answers the
searches the issue names. On the production profile it is refused unless explicitly allowed, and
then never opens accounts with the published password unless told to."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from motcua.catalog.models import Field, Procedure, ProcedureVersion
from motcua.catalog.selectors import ProcedureFilters, procedure_search
from motcua.directory.constants import AgencyKind, Role
from motcua.directory.demo import DEMO_PASSWORD
from motcua.directory.models import AdministrativeUnit, Agency, StaffRole
from motcua.dossiers.constants import DossierStatus, StepStatus
from motcua.dossiers.models import Dossier, DossierStep

pytestmark = pytest.mark.django_db


@pytest.mark.django_db(transaction=True)  # the sample dossiers read SMS codes sent after commit
def test_demo_province_is_complete_and_idempotent() -> None:
    call_command("load_demo")
    dossiers = dict(Dossier.objects.values_list("code", "status"))
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

    assert Procedure.objects.count() >= 40
    assert Field.objects.filter(procedures__isnull=False).distinct().count() >= 10
    assert set(Procedure.objects.values_list("level", flat=True)) >= {"province", "commune"}

    # Every demo officer of the ward finds a sample dossier at their stage.
    assert sorted(dossiers.values()) == sorted(
        [DossierStatus.SUBMITTED, DossierStatus.IN_PROGRESS, DossierStatus.PAUSED]
        + [DossierStatus.IN_PROGRESS] * 2
        + [DossierStatus.RETURNED]
    )
    open_steps = set(DossierStep.objects.filter(status=StepStatus.ACTIVE).values_list("assignee__username", flat=True))
    assert open_steps == {"xa.chuyenvien", "xa.lanhdao", "xa.vanthu"}
    returned = Dossier.objects.get(status=DossierStatus.RETURNED)
    assert returned.result_document is not None and returned.result_document.number


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
