from collections.abc import Iterable
from typing import Any

from django.db import DatabaseError
from django.db.models import QuerySet
from django.http import HttpRequest

from motcua.directory.constants import PROVINCE_WIDE_ROLES
from motcua.directory.models import Agency, StaffRole


def staff_roles_for_user(*, user: Any) -> QuerySet[StaffRole]:
    return StaffRole.objects.filter(user=user).select_related("agency", "org_unit").order_by("role")


def request_user_is_staff(request: HttpRequest) -> bool:
    """user_is_staff for the request's user, asked once per request by every middleware that
    needs it. With the database down the answer is "no": the view's own error page then tells
    the person."""
    if not hasattr(request, "_user_is_staff"):
        try:
            staff = user_is_staff(user=request.user)
        except DatabaseError:
            staff = False
        request._user_is_staff = staff  # type: ignore[attr-defined]
    return bool(request._user_is_staff)  # type: ignore[attr-defined]


def user_is_staff(*, user: Any) -> bool:
    """Whether the back office is for this account: an officer (any role) or an administrator."""
    return bool(
        user.is_authenticated and (user.is_staff or user.is_superuser or StaffRole.objects.filter(user=user).exists())
    )


def agencies_overseen(*, user: Any, roles: Iterable[str]) -> QuerySet[Agency] | None:
    """The agencies whose figures `user` may see on a province report: None for all (superusers
    and province-wide roles), else those where they hold one of `roles`; empty for anyone else."""
    if user.is_superuser:
        return None
    held = StaffRole.objects.filter(user=user)
    if held.filter(role__in=PROVINCE_WIDE_ROLES).exists():
        return None
    overseen = held.filter(role__in=list(roles), agency__isnull=False).values("agency_id")
    return Agency.objects.filter(pk__in=overseen)
