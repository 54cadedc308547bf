from typing import Any

from django.db.models import QuerySet

from motcua.directory.models import StaffRole


def staff_roles_for_user(*, user: Any) -> QuerySet[StaffRole]:
    return StaffRole.objects.filter(user=user).select_related("agency", "org_unit").order_by("role")


def user_is_staff(*, user: Any) -> bool:
    """Whether the back office is for this account: an officer (any role) or an administrator."""
    return bool(
        user.is_authenticated and (user.is_staff or user.is_superuser or StaffRole.objects.filter(user=user).exists())
    )
