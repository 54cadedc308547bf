"""Periodic jobs of issued results (MOTCUA_PERIODIC_TASKS)."""

import datetime
import logging

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from motcua.core.errors import ApplicationError
from motcua.core.tasks import task
from motcua.documents.models import IssuedDocument
from motcua.documents.services import issued_document_archive_renew

logger = logging.getLogger(__name__)

# Renew this long before the TSA certificate expires: months to get through a TSA outage or a
# CA late with the authority's next certificate (the task runs daily and retries).
RENEW_AHEAD = datetime.timedelta(days=180)
BATCH = 50


@task()
def archive_timestamps_renew_due() -> dict[str, int]:
    """Renew the archive time stamps of issued results whose TSA certificate expires within
    `RENEW_AHEAD` (or is not known yet: results issued before the date was recorded, or
    without any archive time stamp, get one). Nothing without a configured TSA."""
    if not settings.MOTCUA_SIGNING_TSA_URL:
        return {"renewed": 0, "failed": 0}
    due = (
        IssuedDocument.objects.filter(issued_at__isnull=False)
        .filter(
            Q(archive_timestamp_expires_at__isnull=True)
            | Q(archive_timestamp_expires_at__lte=timezone.now() + RENEW_AHEAD)
        )
        .order_by("archive_timestamp_expires_at", "pk")
    )
    renewed = failed = 0
    for document in due[:BATCH]:
        try:
            issued_document_archive_renew(document=document, actor="system")
            renewed += 1
        except ApplicationError:
            logger.warning("archive time stamp of issued document %s not renewed", document.pk, exc_info=True)
            failed += 1
    return {"renewed": renewed, "failed": failed}
