"""Task workers: the heartbeat /healthz reads, the periodic enqueue, and an RQ loop that outlives outages.

A worker must keep going through a Redis restart and a PostgreSQL failover without a person
restarting it: the database is the source of truth for pending work and the periodic jobs sweep
up what a lost queue held, so every loop here catches its error, logs one line and tries again.
"""

import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable

from django.db import close_old_connections, connections
from django.utils import timezone

from motcua.core.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 15
# After a failure the loops retry sooner than their interval, so a worker is seen again (and a
# periodic sweep runs) within seconds of the database or Redis coming back.
RETRY_SECONDS = 3.0
# RQ restarts its scheduler process only during maintenance; its default of ten minutes would
# leave retries and deferred jobs waiting that long after a Redis restart.
RQ_MAINTENANCE_SECONDS = 30


def heartbeat_beat(*, worker_id: str, started_at: object) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname(),
            "pid": os.getpid(),
            "started_at": started_at,
            "last_seen": timezone.now(),
        },
    )


def _drop_broken_connections() -> None:
    """Close this thread's database connection after an error, so the next try reconnects."""
    for connection in connections.all(initialized_only=True):
        try:
            connection.close()
        except Exception:  # a connection to a server that is gone may fail to close: forget it
            logger.debug("closing a broken database connection failed", exc_info=True)


def _first_line(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0]}"


def _attempt(what: str, action: Callable[[], object]) -> bool:
    """Run `action`; on any error log one line (no traceback: outages are expected) and say False."""
    try:
        close_old_connections()
        action()
        return True
    except Exception as exc:
        logger.warning("%s failed, will retry: %s", what, _first_line(exc))
        _drop_broken_connections()
        return False


def heartbeat_start(*, worker_id: str) -> threading.Event:
    """Beat now and then every HEARTBEAT_SECONDS in a daemon thread; set the event to stop.

    The thread never dies: a beat that fails (database down) is retried after RETRY_SECONDS.
    """
    started_at = timezone.now()
    stop = threading.Event()

    def loop() -> None:
        wait = 0.0
        while not stop.wait(wait):
            beaten = _attempt("heartbeat", lambda: heartbeat_beat(worker_id=worker_id, started_at=started_at))
            wait = HEARTBEAT_SECONDS if beaten else RETRY_SECONDS

    threading.Thread(target=loop, name="heartbeat", daemon=True).start()
    return stop


def periodic_start(*, schedule: dict[str, int]) -> threading.Event:
    """Enqueue each task of `schedule` (dotted path → seconds) at its interval, in a daemon thread.

    Every worker process runs one; the periodic jobs are written to be harmless when several
    workers enqueue them (each claims its rows before acting), so no leader election is needed.
    An enqueue that fails (queue down) is retried after RETRY_SECONDS rather than a whole interval.
    """
    from django.utils.module_loading import import_string

    stop = threading.Event()

    def loop() -> None:
        due = dict.fromkeys(schedule, time.monotonic())
        while not stop.wait(1.0):
            for path, interval in schedule.items():
                if time.monotonic() >= due[path]:
                    queued = _attempt(f"enqueue {path}", import_string(path).enqueue)
                    due[path] = time.monotonic() + (interval if queued else min(interval, RETRY_SECONDS))

    threading.Thread(target=loop, name="periodic", daemon=True).start()
    return stop


def rq_work_forever(*, queue_names: list[str], worker_name_prefix: str) -> None:
    """Run RQ workers (with django-tasks-rq's job class and RQ's scheduler) until asked to stop.

    RQ's own loop waits out a Redis that refuses connections while it is idle, but quits on other
    Redis errors (a restart mid-job, a timeout, its registration gone); this loop then starts a
    fresh worker after RETRY_SECONDS. A SIGTERM/SIGINT (warm shutdown) ends it for good.
    """
    from django_rq.workers import get_worker

    stopping = threading.Event()

    def stop_between_workers(signum: int, frame: object) -> None:
        stopping.set()

    attempt = 0
    while not stopping.is_set():
        attempt += 1
        worker = None
        try:
            worker = get_worker(
                *queue_names,
                # RQ must run django-tasks-rq's Job: it calls the Task inside the stored function.
                job_class="django_tasks_rq.Job",
                name=f"{worker_name_prefix}-{attempt}",
                maintenance_interval=RQ_MAINTENANCE_SECONDS,
            )
            worker.work(with_scheduler=True, logging_level="INFO")
        except Exception as exc:
            logger.warning("RQ worker stopped by %s; restarting", _first_line(exc))
        # RQ's handlers (installed by work()) note a shutdown request on the worker.
        if worker is not None and worker._shutdown_requested_date is not None:
            return
        signal.signal(signal.SIGTERM, stop_between_workers)
        signal.signal(signal.SIGINT, stop_between_workers)
        stopping.wait(RETRY_SECONDS)


def db_work_forever(*, worker_id: str) -> None:
    """Run django-tasks-db's worker on every queue until asked to stop.

    Its loop skips a locked database only inside its claim; the BEGIN before it (SQLite's write
    lock, held for seconds while a leader's approval is signed and time-stamped) or a database
    that went away raises and would end the worker while the web goes on. This loop logs one
    line and starts a fresh worker after RETRY_SECONDS; a SIGTERM/SIGINT ends it for good.
    """
    from django.db import DatabaseError
    from django_tasks_db.management.commands.db_worker import Worker

    while True:
        worker = Worker(
            queue_names=["*"],
            interval=0.5,
            batch=False,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id[:64],
            excluded_queue_names=[],
        )
        worker.configure_signals()
        try:
            worker.run()
        except DatabaseError as exc:
            logger.warning("Task worker stopped by %s; restarting", _first_line(exc))
            connections.close_all()
        if not worker.running:
            return
        time.sleep(RETRY_SECONDS)
