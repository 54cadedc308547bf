"""The demo province loads completely and idempotently, and the real catalogue answers the
searches the issue names."""

import pytest
from django.core.management import call_command

from motcua.catalog.models import Field, Procedure, ProcedureVersion
from motcua.catalog.selectors import ProcedureFilters, procedure_search
from motcua.directory.constants import AgencyKind, Role
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
