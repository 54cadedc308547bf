import logging

from motcua.core.tasks import task
from motcua.national.portal import PortalUnavailable
from motcua.national.services import inbound_pull, reconcile, sync_dispatch

logger = logging.getLogger(__name__)


@task()
def national_sync_due() -> dict[str, object]:
    """Send the portal what is due (retries, what a crashed worker left) and take the dossiers
    submitted there."""
    result: dict[str, object] = {"outbound": sync_dispatch().as_dict()}
    try:
        result["inbound"] = inbound_pull().as_dict()
    except PortalUnavailable as down:
        logger.warning("National inbound: cannot list the portal's dossiers: %s", down)
        result["inbound"] = str(down)
    return result


@task()
def national_reconcile() -> dict[str, object]:
    """The daily comparison with the portal; a no-op once today's run exists."""
    run = reconcile()
    if run is None:
        return {"reconciliation": "done today"}
    return {"checked": run.checked, "repaired": run.repaired, "unresolved": run.unresolved, "error": run.error}
