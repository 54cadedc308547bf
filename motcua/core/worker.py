"""Heartbeat of task workers, so /healthz can tell whether anything runs the queue."""

import os
import socket
import threading

from django.db import close_old_connections
from django.utils import timezone

from motcua.core.models import WorkerHeartbeat

HEARTBEAT_SECONDS = 15


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


def heartbeat_start(*, worker_id: str) -> threading.Event:
    """Beat now and then every HEARTBEAT_SECONDS in a daemon thread; set the event to stop."""
    started_at = timezone.now()
    heartbeat_beat(worker_id=worker_id, started_at=started_at)
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(HEARTBEAT_SECONDS):
            close_old_connections()
            heartbeat_beat(worker_id=worker_id, started_at=started_at)

    threading.Thread(target=loop, name="heartbeat", daemon=True).start()
    return stop


def periodic_start(*, schedule: dict[str, int]) -> threading.Event:
    """Enqueue each task of `schedule` (dotted path → seconds) at its interval, in a daemon thread.

    Every worker process runs one; the periodic jobs are written to be harmless when several
    workers enqueue them (each claims its rows before acting), so no leader election is needed.
    """
    from django.utils.module_loading import import_string

    stop = threading.Event()
    due = {path: 0.0 for path in schedule}

    def loop() -> None:
        elapsed = 0.0
        while not stop.wait(1.0):
            elapsed += 1.0
            for path, interval in schedule.items():
                if elapsed >= due[path]:
                    due[path] = elapsed + interval
                    close_old_connections()
                    import_string(path).enqueue()

    threading.Thread(target=loop, name="periodic", daemon=True).start()
    return stop
