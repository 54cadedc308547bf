"""Every job queued after commit has a periodic sweep, so a lost queue message only delays it.

Requirement (issue 11, "nothing lost when a part fails"): the database is the source of truth
for pending work; a queue that is down or restarted empty delays jobs, never loses them. A new
`enqueue_on_commit(job, …)` in the code fails this test until its sweep is named here and
scheduled in MOTCUA_PERIODIC_TASKS.
"""

import re
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string

# Job queued after commit → the periodic task that finds its work in the database.
SWEEPS = {
    "outbox_send": "motcua.notifications.tasks.outbox_dispatch_due",
    "catalog_import_job_run": "motcua.catalog.tasks.catalog_import_jobs_resume_due",
    "result_push_send": "motcua.exchange.tasks.result_pushes_deliver_due",
}


def test_every_job_queued_after_commit_has_a_scheduled_sweep():
    root = Path(settings.BASE_DIR) / "motcua"
    queued = {
        match
        for path in root.rglob("*.py")
        if "tests" not in path.parts
        for match in re.findall(r"(?<!def )enqueue_on_commit\((\w+)", path.read_text())
    }
    assert queued == set(SWEEPS), "a job queued after commit without a sweep (or a sweep for no job)"
    for sweep in SWEEPS.values():
        assert sweep in settings.MOTCUA_PERIODIC_TASKS
    for path, seconds in settings.MOTCUA_PERIODIC_TASKS.items():
        assert hasattr(import_string(path), "enqueue") and seconds > 0, path
