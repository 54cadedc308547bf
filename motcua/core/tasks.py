"""The one place that imports the task library, so swapping it touches one file."""

import logging
from typing import Any

from django.db import transaction
from django_tasks import task

__all__ = ["enqueue_on_commit", "task"]

logger = logging.getLogger(__name__)


def enqueue_on_commit(job: Any, **kwargs: Any) -> None:
    """Queue `job` once the current transaction commits; a queue that is down only delays it.

    The database is the source of truth for pending work: every job queued here has a periodic
    sweep that finds what it left undone, so a failed enqueue is logged, never raised into a
    request whose change is already committed.
    """

    def enqueue() -> None:
        try:
            job.enqueue(**kwargs)
        except Exception:
            logger.exception("Could not queue %s; the periodic sweep will pick the work up", job.name)

    transaction.on_commit(enqueue)
