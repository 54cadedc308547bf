"""Periodic job of the report templates (MOTCUA_PERIODIC_TASKS)."""

from motcua.core.tasks import task
from motcua.report_templates.services import reports_due_send


@task()
def report_templates_send_due() -> dict[str, int]:
    """Runs hourly; on a template's sending day the first run sends, the others find it sent."""
    return reports_due_send()
