"""Writes to the organisation directory: loading a province's units, agencies and staff."""

import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from motcua.core.audit import audit_record
from motcua.directory.constants import Role
from motcua.directory.models import AdministrativeUnit, Agency, OrgUnit, PostOffice, StaffRole

DIRECTORY_FORMAT = "motcua.directory/1"


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def directory_load(*, actor: Any, document: dict[str, Any]) -> dict[str, int]:
    """Create or update the units and agencies of a directory document; idempotent."""
    if document.get("format") != DIRECTORY_FORMAT:
        raise ValueError(f"expected format {DIRECTORY_FORMAT}")
    counts = {"units": 0, "agencies": 0, "org_units": 0}
    with transaction.atomic():
        by_code: dict[str, AdministrativeUnit] = {}
        for item in document["units"]:  # parents come before children in the file
            unit, _ = AdministrativeUnit.objects.update_or_create(
                code=item["code"],
                defaults={
                    "name": item["name"],
                    "kind": item["kind"],
                    "parent": by_code.get(item["parent"]) if item.get("parent") else None,
                    "valid_from": _date(item.get("valid_from")),
                    "valid_to": _date(item.get("valid_to")),
                },
            )
            by_code[unit.code] = unit
            counts["units"] += 1
        for item in document["agencies"]:
            agency, _ = Agency.objects.update_or_create(
                code=item["code"],
                defaults={
                    "electronic_id": item["electronic_id"],
                    "name": item["name"],
                    "kind": item["kind"],
                    "unit": by_code[item["unit"]],
                    "tax_code": item.get("tax_code", ""),
                    "verification": item.get("verification", {}),
                },
            )
            counts["agencies"] += 1
            for kind, key in (("one_stop", "one_stop_units"), ("division", "divisions")):
                for org in item.get(key, []):
                    OrgUnit.objects.update_or_create(
                        code=org["code"], defaults={"agency": agency, "name": org["name"], "kind": kind}
                    )
                    counts["org_units"] += 1
        audit_record(
            actor=actor,
            action="directory.load",
            object_type="directory",
            object_id="directory",
            object_repr="Danh mục tổ chức",
            summary=counts,
        )
    return counts


def staff_ensure(
    *,
    actor: Any,
    username: str,
    full_name: str,
    password: str | None,
    roles: list[tuple[str, str | None, str | None]],
    is_staff: bool = True,
    is_superuser: bool = False,
) -> Any:
    """Create a staff account with its roles (role, agency code, org unit code) if missing; a None
    password leaves it without a usable one."""
    User = get_user_model()
    with transaction.atomic():
        user = User.objects.filter(username=username).first()
        if user is None:
            first, _, last = full_name.rpartition(" ")
            user = User.objects.create_user(
                username=username,
                password=password,
                first_name=last,
                last_name=first,
                is_staff=is_staff,
                is_superuser=is_superuser,
            )
            audit_record(actor=actor, action="staff.create", obj=user, summary={"roles": [r[0] for r in roles]})
        for role, agency_code, org_code in roles:
            StaffRole.objects.get_or_create(
                user=user,
                role=role,
                agency=Agency.objects.get(code=agency_code) if agency_code else None,
                org_unit=OrgUnit.objects.get(code=org_code) if org_code else None,
            )
    return user


def post_office_assign(*, actor: Any, user: Any, post_office: PostOffice) -> None:
    """Make the user's postal role that post office's (a postal clerk works at one office)."""
    with transaction.atomic():
        role, _ = StaffRole.objects.get_or_create(user=user, role=Role.POSTAL, agency=None, org_unit=None)
        if role.post_office_id != post_office.pk:
            role.post_office = post_office
            role.save(update_fields=["post_office"])
            audit_record(actor=actor, action="staff.post_office", obj=user, summary={"post_office": post_office.code})
