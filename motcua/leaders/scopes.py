"""Whose figures a dashboard shows: the province, an agency, a unit or an officer.

Leaders, supervisors and agency administrators see their own agencies (province-wide roles and
superusers see every one); an officer without those roles sees only their own figures. A scope
asked for in the query string that the person does not own is refused (403), never widened.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from motcua.core.validators import parameter_refused, record_id
from motcua.directory.constants import Role
from motcua.directory.models import Agency, OrgUnit, StaffRole
from motcua.directory.selectors import agencies_overseen
from motcua.dossiers.models import DossierStep

OVERSEEING_ROLES = [Role.LEADER, Role.SUPERVISOR, Role.AGENCY_ADMIN]
PROVINCE = "tinh"


@dataclass(frozen=True)
class Scope:
    key: str  # the `pham-vi` value: "tinh", "co-quan-<id>", "bo-phan-<id>", "can-bo-<id>"
    label: str
    q: Q  # the dossiers of the scope
    # The kept counts' filter giving the same dossiers (an agency's, an officer's); None when no
    # counts can (a unit): those are counted live.
    count_filter: dict[str, Any] | None
    agency_ids: list[int] | None  # the agencies whose units and officers it ranks; None: all
    officer_id: int | None = None


def officer_q(officer_id: int) -> Q:
    """Dossiers an officer took part in: received them, or held or finished one of their steps."""
    steps = DossierStep.objects.filter(dossier=OuterRef("pk")).filter(
        Q(assignee_id=officer_id) | Q(finished_by_id=officer_id)
    )
    return Q(received_by_id=officer_id) | Q(Exists(steps))


class ScopeMalformed(PermissionDenied):
    """Not the form of a scope: the dashboard answers 400 with the reason. A PermissionDenied
    still, as every refusal of `scope_resolve`, for whoever only asks whether a scope may be seen
    (report_templates)."""


class ScopeNotFound(PermissionDenied):
    """A well-formed scope naming no agency, unit or person: the dashboard answers 404."""


def _refused() -> PermissionDenied:
    return PermissionDenied(_("Ông/bà không được xem số liệu của phạm vi này."))


def scope_default(user: Any) -> str:
    overseen = agencies_overseen(user=user, roles=OVERSEEING_ROLES)
    if overseen is None:
        return PROVINCE
    first = overseen.order_by("name").first()
    return f"co-quan-{first.pk}" if first else f"can-bo-{user.pk}"


def scope_resolve(*, user: Any, key: str) -> Scope:
    """The scope `key` for `user`, else a PermissionDenied of three kinds: ScopeMalformed (not a
    scope's form: "tinh", "co-quan-<id>", …), ScopeNotFound (a well-formed one naming no agency,
    unit or person), or plainly, not theirs. Agencies and units are public; that an account id
    exists is all the difference tells (docs/leaders.md)."""
    key = key or scope_default(user)
    overseen = agencies_overseen(user=user, roles=OVERSEEING_ROLES)
    allowed = None if overseen is None else list(overseen.values_list("pk", flat=True))
    if key == PROVINCE:
        if allowed is not None:
            raise _refused()
        return Scope(PROVINCE, _("Toàn tỉnh"), Q(), {}, None)
    kind, _sep, number = key.rpartition("-")
    pk = record_id(number)
    if kind not in ("co-quan", "bo-phan", "can-bo") or pk is None:
        raise ScopeMalformed(parameter_refused(_("Phạm vi"), key).message)
    if kind == "co-quan":
        agency = Agency.objects.filter(pk=pk).first()
        if agency is None:
            raise ScopeNotFound(_("Không có cơ quan này."))
        if allowed is not None and pk not in allowed:
            raise _refused()
        return Scope(key, agency.name, Q(agency_id=pk), {"agency_id": pk}, [pk])
    if kind == "bo-phan":
        unit = OrgUnit.objects.select_related("agency").filter(pk=pk).first()
        if unit is None:
            raise ScopeNotFound(_("Không có bộ phận này."))
        if allowed is not None and unit.agency_id not in allowed:
            raise _refused()
        units = DossierStep.objects.filter(dossier=OuterRef("pk"), org_unit_id=pk)
        return Scope(key, str(unit), Q(Exists(units)), None, [unit.agency_id])
    officer = get_user_model().objects.filter(pk=pk).first()
    if officer is None:
        raise ScopeNotFound(_("Không có cán bộ này."))
    if pk != user.pk:
        agencies = StaffRole.objects.filter(user_id=pk, agency__isnull=False).values_list("agency_id", flat=True)
        if allowed is not None and not set(agencies) & set(allowed):
            raise _refused()
    name = officer.get_full_name() or officer.get_username()
    return Scope(key, name, officer_q(pk), {"officer_id": pk}, [], pk)
