"""Sending the report templates' reports to their leaders when they are due.

Each recipient gets the report only if the template's scope is one they may see on the
leaders' dashboard (`leaders.scopes.scope_resolve`); anyone else is skipped and the refusal
recorded, so adding a name to the list can never widen what a person sees. One e-mail per
template, period and recipient: the outbox key makes a second run (or a worker restarted
mid-way) send nothing new.
"""

import datetime
import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from motcua.core.audit import audit_record
from motcua.leaders.scopes import scope_resolve
from motcua.notifications.constants import NotificationEvent
from motcua.notifications.mail import Attachment
from motcua.notifications.models import OutboxMessage
from motcua.notifications.services import notifications_email_record
from motcua.report_templates.exports import period_text, report_file
from motcua.report_templates.models import ReportTemplate
from motcua.report_templates.periods import period_covered, sending_day
from motcua.report_templates.tables import report_table

logger = logging.getLogger(__name__)


def _refusal_recorded(template: ReportTemplate, recipient: Any, reason: str) -> None:
    audit_record(
        actor=None,
        action="report_templates.recipient_skipped",
        obj=template,
        summary={"recipient": recipient.pk, "reason": reason},
    )


def report_send(template: ReportTemplate, *, today: datetime.date) -> int:
    """Record the e-mails of `template`'s report for the period before `today`; how many were
    recorded for the first time."""
    start, end = period_covered(template.period, today)
    table = None
    attachment = None
    sent = 0
    for recipient in template.recipients.filter(is_active=True).order_by("pk"):
        with transaction.atomic():
            try:
                scope = scope_resolve(user=recipient, key=template.scope)
            except PermissionDenied:
                _refusal_recorded(template, recipient, "scope_not_theirs")
                continue
            if not recipient.email:
                _refusal_recorded(template, recipient, "no_email")
                continue
            key = f"report:{template.pk}:{start:%Y%m%d}-{end:%Y%m%d}:{recipient.pk}"
            if OutboxMessage.objects.filter(idempotency_key=key).exists():
                continue
            if table is None:
                table = report_table(template, scope=scope, start=start, end=end)
                name, content, mimetype = report_file(template, table)
                attachment = Attachment(name, content, mimetype)
            notifications_email_record(
                event=NotificationEvent.SCHEDULED_REPORT,
                to=recipient.email,
                subject=f"{template.name}: {period_text(table)}",
                body=_(
                    "Kính gửi %(name)s,\n\nHệ thống gửi báo cáo “%(report)s” (%(scope)s), %(period)s, "
                    "lập lúc %(made)s, trong tệp đính kèm.\n\nSố liệu trùng với bảng điều hành: mỗi số "
                    "tra được danh sách hồ sơ trên trang Lãnh đạo của hệ thống."
                )
                % {
                    "name": recipient.get_full_name() or recipient.get_username(),
                    "report": template.name,
                    "scope": table.scope,
                    "period": period_text(table).lower(),
                    "made": date_format(timezone.localtime(), "H:i d/m/Y"),
                },
                key=key,
                attachment=attachment,
            )
            sent += 1
    return sent


def reports_due_send(*, today: datetime.date | None = None) -> dict[str, int]:
    """Send every active template whose sending day is `today` (the local date by default)."""
    today = today or timezone.localdate()
    active = ReportTemplate.objects.filter(active=True)
    due = [template for template in active if sending_day(template.frequency, today)]
    recorded = 0
    for template in due:
        try:
            recorded += report_send(template, today=today)
        except Exception:
            # One broken template must not keep the others' leaders without their reports.
            logger.exception("Report template %s could not be sent", template.pk)
    return {"templates": len(due), "emails": recorded}
