"""Periodic warnings to officers about steps due soon and steps overdue: a notification job
that reads the dossiers' steps (the dossiers app does not know it exists).

Each step is warned once per kind: the warning is claimed with a conditional UPDATE in the
transaction that records the e-mails in the notifications outbox, so several workers running the
job at once never warn twice, and an SMTP outage only delays the e-mails (the outbox retries
them). Officers get one digest e-mail per run listing their steps; overdue steps also go to the
agency's leaders.
"""

import datetime
import hashlib
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.workdays import get_calendar
from motcua.directory.constants import Role
from motcua.directory.models import StaffRole
from motcua.dossiers.constants import StepStatus
from motcua.dossiers.models import DossierStep
from motcua.dossiers.processing import step_candidates
from motcua.dossiers.selectors import DUE_SOON_HOURS
from motcua.notifications.constants import NotificationEvent
from motcua.notifications.services import notifications_email_record


def _claimed(steps: QuerySet[DossierStep], field: str, now: datetime.datetime) -> list[DossierStep]:
    claimed = []
    for step in steps.select_related("dossier", "agency", "assignee"):
        if DossierStep.objects.filter(pk=step.pk, **{f"{field}__isnull": True}).update(**{field: now}):
            claimed.append(step)
    return claimed


def _recipients(step: DossierStep, *, leaders: bool) -> set[Any]:
    users: set[Any]
    if step.assignee is not None:
        users = {step.assignee}
    else:
        roles = step_candidates(agency_id=step.agency_id, role=step.role, org_unit_id=step.org_unit_id)
        users = {role.user for role in roles.select_related("user")}
    if leaders:
        users |= {role.user for role in StaffRole.objects.filter(role=Role.LEADER, agency_id=step.agency_id)}
    return {user for user in users if user.email}


def _line(step: DossierStep) -> str:
    due = timezone.localtime(step.due_at).strftime("%H:%M %d/%m/%Y")
    return f"- {step.dossier.code}: {step.name} ({step.agency.name}), {_('hạn')} {due}"


def deadline_warnings_send(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Warn about steps due within DUE_SOON_HOURS working hours and steps past their due time."""
    now = now or timezone.now()
    with transaction.atomic():
        active = DossierStep.objects.filter(status=StepStatus.ACTIVE)
        soon_limit = get_calendar().add_working_hours(now, DUE_SOON_HOURS)
        due_soon = _claimed(
            active.filter(warned_due_soon_at__isnull=True, due_at__gte=now, due_at__lte=soon_limit),
            "warned_due_soon_at",
            now,
        )
        overdue = _claimed(active.filter(warned_overdue_at__isnull=True, due_at__lt=now), "warned_overdue_at", now)
        digests: dict[Any, dict[str, list[str]]] = defaultdict(lambda: {"soon": [], "late": [], "steps": []})
        for step in due_soon:
            for user in _recipients(step, leaders=False):
                digests[user]["soon"].append(_line(step))
                digests[user]["steps"].append(f"soon-{step.pk}")
        for step in overdue:
            for user in _recipients(step, leaders=True):
                digests[user]["late"].append(_line(step))
                digests[user]["steps"].append(f"late-{step.pk}")
        for user, lines in digests.items():
            _digest_record(user=user, lines=lines)
    return {"due_soon": len(due_soon), "overdue": len(overdue), "emails": len(digests)}


def _digest_record(*, user: Any, lines: dict[str, list[str]]) -> None:
    """One officer's digest, recorded in the outbox; named by the warnings it carries, which are
    claimed once, so recording it again adds nothing."""
    parts = [_("Kính gửi %(name)s,") % {"name": user.get_full_name() or user.get_username()}]
    if lines["late"]:
        parts += ["", _("Các bước xử lý đã quá hạn:"), *lines["late"]]
    if lines["soon"]:
        parts += ["", _("Các bước xử lý sắp đến hạn:"), *lines["soon"]]
    parts += [
        "",
        _("Xem và xử lý tại: %(url)s") % {"url": settings.MOTCUA_PUBLIC_URL.rstrip("/") + "/can-bo/viec/"},
    ]
    subject = _("Cảnh báo hạn xử lý hồ sơ: %(late)d quá hạn, %(soon)d sắp đến hạn") % {
        "late": len(lines["late"]),
        "soon": len(lines["soon"]),
    }
    warnings = hashlib.sha256(",".join(lines["steps"]).encode()).hexdigest()[:32]
    notifications_email_record(
        event=NotificationEvent.DEADLINE_WARNING,
        to=user.email,
        subject=subject,
        body="\n".join(parts),
        key=f"deadline-warning:{user.pk}:{warnings}",
    )
