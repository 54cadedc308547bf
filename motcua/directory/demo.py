"""Demo staff: one account for every role, so each part of the system can be tried, and the
officers every step of every demo procedure's process needs, so no sample dossier waits forever."""

import secrets
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from motcua.catalog.constants import CatalogSource, ProcedureLevel
from motcua.catalog.models import Procedure
from motcua.catalog.processes import process_current
from motcua.core.audit import audit_record
from motcua.directory.constants import AgencyKind, OrgUnitKind, Role
from motcua.directory.models import Agency, OrgUnit, PostOffice
from motcua.directory.services import post_office_assign, staff_ensure
from motcua.dossiers.demo_answers import DEMO_HOME_UNIT
from motcua.dossiers.models import Dossier
from motcua.dossiers.processing import process_step_place
from motcua.dossiers.services import receiving_agency_for

DEMO_PASSWORD = "demo@2026"  # noqa: S105 - published demo credential, embedded profile only


def _unit(agency_code: str, kind: str) -> str | None:
    unit = OrgUnit.objects.filter(agency__code=agency_code, kind=kind).order_by("code").first()
    return unit.code if unit else None


def demo_commune() -> Agency | None:
    """The People's Committee of the ward where the demo citizen lives: the commune accounts work there."""
    return Agency.objects.filter(kind=AgencyKind.COMMUNE_COMMITTEE, unit__code=DEMO_HOME_UNIT).first()


# The login of a demo officer who does steps of a process: "<agency>.<this>".
PROCESS_ROLE_LOGINS: dict[str, str] = {
    Role.RECEPTION: "tiepnhan",
    Role.SPECIALIST: "chuyenvien",
    Role.LEADER: "lanhdao",
    Role.CLERK: "vanthu",
}


def _process_staff_needed(commune: Agency | None) -> set[tuple[str, str, str | None]]:
    """(role, agency code, org unit code) of every step of every procedure's current process, placed
    as for a dossier filed at the demo commune, by the rules that place real dossiers' steps."""
    needed = set()
    procedures = (
        Procedure.objects.filter(current_version__isnull=False)
        .exclude(source=CatalogSource.NATIONAL_INDEX)  # not filed in this system
        .select_related("current_version__managing_agency")
    )
    for procedure in procedures:
        version = procedure.current_version
        assert version is not None
        if version.level == ProcedureLevel.COMMUNE and commune is None:
            continue
        agency = receiving_agency_for(version=version, unit_code=commune.unit.code if commune else None)
        dossier = Dossier(procedure_version=version, agency=agency)
        for step in process_current(version=version).steps.all():
            place, unit = process_step_place(step, dossier)
            needed.add((step.role, place.code, unit.code if unit else None))
    return needed


def _covers(held: tuple[str, str | None, str | None], needed: tuple[str, str, str | None]) -> bool:
    """A role held at an agency without a unit covers every unit there (`step_candidates`)."""
    return held[:2] == needed[:2] and held[2] in (None, needed[2])


def _process_accounts(commune: Agency | None, accounts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Accounts for the process roles no account in `accounts` holds, one per agency and role:
    `xa.<role>` at the demo commune, `<agency code>.<role>` elsewhere (`cat.lanhdao`)."""
    held = [role for account in accounts for role in account["roles"]]
    missing = sorted(need for need in _process_staff_needed(commune) if not any(_covers(h, need) for h in held))
    agencies = {agency.code: agency for agency in Agency.objects.filter(code__in={need[1] for need in missing})}
    extra: dict[str, dict[str, Any]] = {}
    for role, agency_code, unit_code in missing:
        prefix = "xa" if commune is not None and agency_code == commune.code else agency_code.lower()
        username = f"{prefix}.{PROCESS_ROLE_LOGINS[role]}"
        account = extra.setdefault(
            username,
            {"username": username, "full_name": f"{Role(role).label} {agencies[agency_code].name}", "roles": []},
        )
        account["roles"].append((role, agency_code, unit_code))
    return list(extra.values())


def demo_accounts() -> list[dict[str, Any]]:
    """(username, full name, roles) for the demo; commune accounts work at `demo_commune()`, and
    every agency where a step of a demo procedure's process is done gets the officers it needs."""
    commune = demo_commune()
    accounts = _named_accounts(commune.code if commune else None)
    return [*accounts, *_process_accounts(commune, accounts)]


def _named_accounts(commune_code: str | None) -> list[dict[str, Any]]:
    return [
        {
            "username": "quantri",
            "full_name": "Nguyễn Văn Quản",
            "superuser": True,
            "roles": [(Role.SYSTEM_ADMIN, None, None)],
        },
        {"username": "giamsat", "full_name": "Trần Thị Giám", "roles": [(Role.SUPERVISOR, None, None)]},
        {
            "username": "tiepnhan",
            "full_name": "Lê Thị Tiếp",
            "roles": [(Role.RECEPTION, "TTPVHCC", _unit("TTPVHCC", OrgUnitKind.ONE_STOP))],
        },
        {
            "username": "stp.chuyenvien",
            "full_name": "Phạm Văn Thụ",
            "roles": [(Role.SPECIALIST, "STP", _unit("STP", OrgUnitKind.DIVISION))],
        },
        {"username": "stp.lanhdao", "full_name": "Hoàng Văn Duyệt", "roles": [(Role.LEADER, "STP", None)]},
        {"username": "stp.vanthu", "full_name": "Võ Thị Thư", "roles": [(Role.CLERK, "STP", None)]},
        {
            "username": "stp.quantri",
            "full_name": "Đặng Văn Trị",
            "staff": True,
            "roles": [(Role.AGENCY_ADMIN, "STP", None)],
        },
        {
            "username": "bhxh.tiepnhan",
            "full_name": "Trương Thị Hiểm",
            "roles": [(Role.RECEPTION, "BHXH", _unit("BHXH", OrgUnitKind.ONE_STOP))],
        },
        {"username": "buudien", "full_name": "Bùi Thị Bưu", "roles": [(Role.POSTAL, None, None)]},
        *(
            [
                {
                    "username": "xa.tiepnhan",
                    "full_name": "Y Bhiăo Niê",
                    "roles": [(Role.RECEPTION, commune_code, _unit(commune_code, OrgUnitKind.ONE_STOP))],
                },
                {
                    "username": "xa.chuyenvien",
                    "full_name": "H'Hen Êban",
                    "roles": [(Role.SPECIALIST, commune_code, _unit(commune_code, OrgUnitKind.DIVISION))],
                },
                {"username": "xa.lanhdao", "full_name": "Đinh Văn Lãnh", "roles": [(Role.LEADER, commune_code, None)]},
                {"username": "xa.vanthu", "full_name": "Lò Thị Văn", "roles": [(Role.CLERK, commune_code, None)]},
                {"username": "xa.ketoan", "full_name": "Phan Thị Toán", "roles": [(Role.FINANCE, commune_code, None)]},
            ]
            if commune_code
            else []
        ),
    ]


AGENCY_ADMIN_GROUP = "Quản trị cơ quan"
AGENCY_ADMIN_PERMISSIONS = [
    ("catalog", "view_procedure"),
    ("catalog", "change_procedure"),
    ("catalog", "view_procedureversion"),
    ("catalog", "change_procedureversion"),
    ("catalog", "view_fee"),
    ("catalog", "add_fee"),
    ("catalog", "change_fee"),
    ("catalog", "delete_fee"),
    ("catalog", "view_dossiercomponent"),
    ("catalog", "add_dossiercomponent"),
    ("catalog", "change_dossiercomponent"),
    ("catalog", "delete_dossiercomponent"),
    ("catalog", "view_procedureform"),
    ("catalog", "change_procedureform"),
    ("catalog", "view_resulttemplate"),
    ("catalog", "add_resulttemplate"),
    ("catalog", "change_resulttemplate"),
    ("catalog", "view_process"),
    ("catalog", "add_process"),
    ("catalog", "change_process"),
    ("catalog", "view_processstep"),
    ("catalog", "add_processstep"),
    ("catalog", "change_processstep"),
    ("catalog", "delete_processstep"),
]


def agency_admin_group() -> Group:
    """The permissions an agency administrator needs for their catalogue, in one group."""
    group, _ = Group.objects.get_or_create(name=AGENCY_ADMIN_GROUP)
    permissions = [
        Permission.objects.get(content_type__app_label=app, codename=codename)
        for app, codename in AGENCY_ADMIN_PERMISSIONS
    ]
    group.permissions.set(permissions)
    return group


def demo_staff_ensure(*, actor: Any, password: str | None = DEMO_PASSWORD) -> list[Any]:
    """The demo staff accounts; created with `password`, or with no usable password when None."""
    users = []
    for account in demo_accounts():
        users.append(
            staff_ensure(
                actor=actor,
                username=account["username"],
                full_name=account["full_name"],
                password=password,
                roles=account["roles"],
                is_staff=account.get("staff", False) or account.get("superuser", False),
                is_superuser=account.get("superuser", False),
            )
        )
        if any(role == Role.AGENCY_ADMIN for role, _agency, _unit in account["roles"]):
            users[-1].groups.add(agency_admin_group())
        if any(role == Role.POSTAL for role, _agency, _unit in account["roles"]):
            post_office_assign(actor=actor, user=users[-1], post_office=demo_post_office_ensure())
    return users


DEMO_POST_OFFICE = "BD-TRUNGTAM"


def demo_post_office_ensure() -> PostOffice:
    """The post office where the demo postal clerk works: it serves the provincial service
    centre and the demo ward, the one-stop units the demo dossiers go to."""
    centre = Agency.objects.filter(code="TTPVHCC").select_related("unit").first()
    commune = demo_commune()
    home = centre or commune or Agency.objects.order_by("pk").first()
    assert home is not None, "load the directory before the demo staff"
    office, _ = PostOffice.objects.get_or_create(
        code=DEMO_POST_OFFICE,
        defaults={"name": "Bưu điện Trung tâm", "address": "Số 1 đường Bưu Điện", "unit": home.unit},
    )
    office.agencies.add(*[agency for agency in (centre, commune) if agency is not None])
    return office


def demo_passwords_issue(*, actor: Any, users: list[Any]) -> dict[str, str]:
    """Give each demo account that has no usable password a random one; returns username →
    password, the only place it is ever shown (accounts that already have one keep it)."""
    issued = {}
    for user in users:
        if user.has_usable_password():
            continue
        password = secrets.token_urlsafe(12)
        with transaction.atomic():
            user.set_password(password)
            user.save(update_fields=["password"])
            audit_record(actor=actor, action="account.demo_password_issue", obj=user)
        issued[user.username] = password
    return issued
