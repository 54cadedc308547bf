"""Periodic jobs of the accounts app."""

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings

from motcua.core.tasks import task


@task()
def login_failure_log_prune() -> dict[str, int]:
    """Periodic: forget failed logins (login names and addresses) older than
    MOTCUA_LOGIN_FAILURE_LOG_DAYS; only the last day lengthens lockouts."""
    removed = AxesProxyHandler.reset_failure_logs(age_days=settings.MOTCUA_LOGIN_FAILURE_LOG_DAYS)
    return {"removed": removed}
