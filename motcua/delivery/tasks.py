"""Periodic job of the postal carrier (MOTCUA_PERIODIC_TASKS)."""

from motcua.core.tasks import task
from motcua.delivery.tracking import shipments_poll


@task()
def shipments_poll_due() -> dict[str, int]:
    return shipments_poll()
