"""Reads of dossiers, always through a permission check on who asks."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.otp import OtpAllowance, otp_allowance
from motcua.core.errors import ApplicationError
from motcua.core.money import format_amount
from motcua.core.workdays import get_calendar
from motcua.directory.constants import PROVINCE_WIDE_ROLES, Role
from motcua.directory.models import Agency, StaffRole
from motcua.dossiers.constants import DossierStatus, QueueView, StepStatus
from motcua.dossiers.models import Dossier, DossierGroup, DossierStep
from motcua.events.constants import EventKind

# Dossiers an officer sees once submitted; drafts are the citizen's business only.
NOT_YET_SUBMITTED = [DossierStatus.DRAFT, DossierStatus.AWAITING_CONFIRMATION]


def dossier_list_for_applicant(*, user: Any) -> QuerySet[Dossier]:
    return (
        Dossier.objects.filter(applicant=user)
        .select_related("procedure_version", "agency", "group")
        .order_by("-updated_at")
    )


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime.datetime
    status: str  # the status reached, or EventKind.FEES_PAID for a payment
    label: str  # a payment's label carries its amount
    note: str = ""  # the officer's note of a status change (not for the public tracking page)


def dossier_timeline(dossier: Dossier) -> list[TimelineEntry]:
    """What happened to the dossier as the applicant follows it: every status reached and
    every payment of the fees (its FEES_PAID event, with the amount), in time order."""
    entries = [
        TimelineEntry(at=at, status=status, label=str(DossierStatus(status).label), note=note)
        for status, at, note in dossier.history.values_list("to_status", "created_at", "note")
    ]
    paid = dossier.events.filter(kind=EventKind.FEES_PAID).values_list("occurred_at", "payload")
    entries += [
        TimelineEntry(
            at=at,
            status=EventKind.FEES_PAID,
            label=_("%(paid)s: %(amount)s")
            % {"paid": EventKind.FEES_PAID.label, "amount": format_amount(int(payload["amount"]))},
        )
        for at, payload in paid
    ]
    return sorted(entries, key=lambda entry: entry.at)


def dossier_get_for_applicant(*, user: Any, pk: int) -> Dossier:
    """The citizen's own dossier, or 404 (the same answer whether it exists or not)."""
    dossier = dossier_list_for_applicant(user=user).filter(pk=pk).first()
    if dossier is None:
        raise Http404(_("Không tìm thấy hồ sơ."))
    return dossier


def dossier_group_for_applicant(*, user: Any, pk: int) -> DossierGroup:
    """The citizen's own interconnected submission, or 404 (whether it exists or not)."""
    dossier_group = DossierGroup.objects.filter(applicant=user, pk=pk).select_related("group", "lead").first()
    if dossier_group is None:
        raise Http404(_("Không tìm thấy hồ sơ liên thông."))
    return dossier_group


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


def officer_is_province_wide(*, user: Any) -> bool:
    return StaffRole.objects.filter(user=user, role__in=PROVINCE_WIDE_ROLES).exists()


def officer_agency_ids(*, user: Any) -> list[int] | None:
    """The agencies where the officer holds a role, resolved into a short list so queries stay on
    their indexes at a million dossiers; None for province-wide roles."""
    if officer_is_province_wide(user=user):
        return None
    roles = StaffRole.objects.filter(user=user)
    return sorted(set(roles.exclude(agency__isnull=True).values_list("agency_id", flat=True)))


def agency_list_for_officer(*, user: Any) -> QuerySet[Agency]:
    """The agencies whose dossiers the officer reads by right of a role there; all for
    province-wide roles."""
    agency_ids = officer_agency_ids(user=user)
    return Agency.objects.all() if agency_ids is None else Agency.objects.filter(pk__in=agency_ids)


def _submitted() -> QuerySet[Dossier]:
    return Dossier.objects.exclude(status__in=NOT_YET_SUBMITTED).select_related(
        "procedure_version", "agency", "applicant"
    )


def dossier_list_for_officer(*, user: Any) -> QuerySet[Dossier]:
    """Submitted dossiers received by, or with a step at, the agencies where the officer holds a
    role (so a department sees what a commune forwards or asks its opinion on); all for
    province-wide roles; for staff outside any agency (postal), the dossiers they submitted."""
    agency_ids = officer_agency_ids(user=user)
    if agency_ids is None:
        return _submitted()
    if agency_ids:
        with_steps = DossierStep.objects.filter(agency_id__in=agency_ids).values("dossier_id")
        return _submitted().filter(Q(agency_id__in=agency_ids) | Q(pk__in=with_steps))
    return _submitted().filter(submitted_by=user)


def dossier_get_for_officer(*, user: Any, pk: int) -> Dossier:
    dossier = dossier_list_for_officer(user=user).filter(pk=pk).first()
    if dossier is None:
        raise Http404(_("Không tìm thấy hồ sơ hoặc bạn không có quyền xem hồ sơ này."))
    return dossier


def dossier_reception_queue(*, user: Any, query: str = "", channel: str = "") -> QuerySet[Dossier]:
    """Dossiers waiting for the reception check at the officer's agencies, oldest first.

    Searches by dossier code (its start or its daily number at the end) or the applicant's name.
    """
    agency_ids = officer_agency_ids(user=user)
    qs = _submitted().filter(status=DossierStatus.SUBMITTED)
    if agency_ids is not None:
        qs = qs.filter(agency_id__in=agency_ids)
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


DUE_SOON_HOURS = 4


def step_roles_filter(user: Any) -> Q | None:
    """Steps the officer may act on or (as a leader) assign: by agency, role and unit."""
    condition: Q | None = None
    for role in StaffRole.objects.filter(user=user, agency__isnull=False):
        if role.role == Role.LEADER:
            match = Q(agency_id=role.agency_id)
        else:
            match = Q(agency_id=role.agency_id, role=role.role)
            if role.org_unit_id is not None:
                match &= Q(org_unit_id=role.org_unit_id) | Q(org_unit__isnull=True)
        condition = match if condition is None else condition | match
    return condition


def step_queue(*, user: Any, view: str = QueueView.MINE, now: datetime.datetime | None = None) -> QuerySet[DossierStep]:
    """The officer's work queue of open steps, the most urgent first.

    "Mine" is what is assigned to the officer; the other views cover every open step the
    officer's roles reach (a leader sees the whole agency, to assign it).
    """
    now = now or timezone.now()
    qs = DossierStep.objects.filter(status=StepStatus.ACTIVE).select_related(
        "dossier", "dossier__procedure_version", "agency", "assignee"
    )
    if view == QueueView.MINE:
        qs = qs.filter(assignee=user)
    else:
        condition = step_roles_filter(user)
        if condition is None:
            return qs.none()
        qs = qs.filter(condition)
        if view == QueueView.DUE_SOON:
            qs = qs.filter(due_at__gte=now, due_at__lte=get_calendar().add_working_hours(now, DUE_SOON_HOURS))
        elif view == QueueView.OVERDUE:
            qs = qs.filter(due_at__lt=now)
    return qs.order_by("due_at", "id")


def step_get_for_officer(*, user: Any, dossier: Dossier, step_id: int) -> DossierStep:
    """A step of a dossier the officer may see (the action itself checks the role)."""
    step = DossierStep.objects.filter(dossier=dossier, pk=step_id).select_related("agency", "process_step").first()
    if step is None:
        raise Http404(_("Không tìm thấy bước xử lý."))
    return step


# From this few codes left, the citizen is told of the hourly limit (each submission takes one).
CODES_LEFT_WARNING = 2


def submission_codes_allowance(*, user: Any) -> OtpAllowance | None:
    """The citizen's hourly SMS code allowance when near or at the limit, else None: shown when a
    dossier is started and at confirmation, so nobody learns of it only at "Nộp hồ sơ"."""
    profile = getattr(user, "citizen", None)
    if profile is None or not profile.phone:
        return None
    try:
        allowance = otp_allowance(phone=profile.phone)
    except ApplicationError:  # a phone the SMS gateway cannot reach: the submission says so
        return None
    return allowance if allowance.left <= CODES_LEFT_WARNING else None
