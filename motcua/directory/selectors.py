from typing import Any

from django.db.models import QuerySet

from motcua.directory.models import StaffRole


def staff_roles_for_user(*, user: Any) -> QuerySet[StaffRole]:
    return StaffRole.objects.filter(user=user).select_related("agency", "org_unit").order_by("role")
