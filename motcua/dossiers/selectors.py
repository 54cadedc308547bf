"""Reads of dossiers, always through a permission check on who asks."""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from motcua.directory.constants import Role
from motcua.directory.models import StaffRole
from motcua.dossiers.constants import DossierStatus
from motcua.dossiers.models import Dossier

PROVINCE_WIDE_ROLES = {Role.SUPERVISOR, Role.SYSTEM_ADMIN}
# Dossiers an officer sees once submitted; drafts are the citizen's business only.
NOT_YET_SUBMITTED = [DossierStatus.DRAFT, DossierStatus.AWAITING_CONFIRMATION]


def dossier_list_for_applicant(*, user: Any) -> QuerySet[Dossier]:
    return Dossier.objects.filter(applicant=user).select_related("procedure_version", "agency").order_by("-updated_at")


def dossier_get_for_applicant(*, user: Any, pk: int) -> Dossier:
    """The citizen's own dossier, or 404 (the same answer whether it exists or not)."""
    dossier = dossier_list_for_applicant(user=user).filter(pk=pk).first()
    if dossier is None:
        raise Http404(_("Không tìm thấy hồ sơ."))
    return dossier


def dossier_get_for_editor(*, user: Any, pk: int) -> Dossier:
    """A dossier the user may fill in: their own, or one they type for a citizen at the counter."""
    dossier = (
        Dossier.objects.filter(Q(applicant=user) | Q(submitted_by=user), pk=pk)
        .select_related("procedure_version", "agency", "applicant")
        .first()
    )
    if dossier is None:
        raise Http404(_("Không tìm thấy hồ sơ."))
    return dossier


def dossier_list_for_officer(*, user: Any) -> QuerySet[Dossier]:
    """Submitted dossiers of the agencies where the officer holds a role; all for province-wide
    roles; for staff outside any agency (postal), the dossiers they submitted for citizens.

    The agencies are resolved first into a short list, so the query stays on the
    (agency, status, submitted_at) index at a million dossiers.
    """
    roles = StaffRole.objects.filter(user=user)
    qs = Dossier.objects.exclude(status__in=NOT_YET_SUBMITTED).select_related(
        "procedure_version", "agency", "applicant"
    )
    if roles.filter(role__in=PROVINCE_WIDE_ROLES).exists():
        return qs
    agency_ids = sorted(set(roles.exclude(agency__isnull=True).values_list("agency_id", flat=True)))
    if agency_ids:
        return qs.filter(agency_id__in=agency_ids)
    return qs.filter(submitted_by=user)


def dossier_get_for_officer(*, user: Any, pk: int) -> Dossier:
    dossier = dossier_list_for_officer(user=user).filter(pk=pk).first()
    if dossier is None:
        raise Http404(_("Không tìm thấy hồ sơ hoặc bạn không có quyền xem hồ sơ này."))
    return dossier


def dossier_reception_queue(*, user: Any, query: str = "", channel: str = "") -> QuerySet[Dossier]:
    """Dossiers waiting for the reception check at the officer's agencies, oldest first.

    Searches by dossier code (its start or its daily number at the end) or the applicant's name.
    """
    qs = dossier_list_for_officer(user=user).filter(status=DossierStatus.SUBMITTED)
    if channel:
        qs = qs.filter(channel=channel)
    query = query.strip()
    if query:
        qs = qs.filter(
            Q(code__startswith=query.upper())
            | Q(code__endswith=query)
            | Q(applicant__citizen__full_name__icontains=query)
        )
    return qs.order_by("submitted_at", "id")
