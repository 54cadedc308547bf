"""Health of the parts a deployment depends on, for /healthz and monitoring.

Four parts, each needed: `database` (a ``SELECT 1``), `storage` (the bucket, or the media
directory, exists and is reachable; nothing is written), `queue` (Redis answers PING on the
production profile; the database task queue is readable on the embedded one) and `workers` (at
least one worker's heartbeat is younger than MOTCUA_WORKER_STALE_SECONDS). The answer is 200 when
all are ok and 503 otherwise.

Who sees what: everyone gets ``{"ok": …, "<part>": {"ok": …}, …}``: enough for a load balancer or
an uptime monitor, nothing about the installation. The detail (storage backend and bucket, database
vendor, queue length and failed jobs, live worker count, the error class of a failing part) is
added for a logged-in staff member and for a caller that sends
``Authorization: Bearer <MOTCUA_HEALTHZ_TOKEN>`` (a monitoring system; empty token: none). Callers
on loopback get no more than others, because behind a reverse proxy on the same host every request
arrives from loopback.

The storage check costs a request to the object store, so its result is kept for
STORAGE_CHECK_SECONDS in each process: monitors polling many times a second cost the store nothing.
"""

import hmac
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone

from motcua.core.models import WorkerHeartbeat

STORAGE_CHECK_SECONDS = 10.0
_storage_checked: tuple[float, dict[str, Any]] | None = None


def _check_database() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "vendor": connection.vendor}


def _storage_probe() -> dict[str, Any]:
    bucket = getattr(default_storage, "bucket_name", None)
    if bucket is not None:  # django-storages' S3Storage: HEAD the bucket, write nothing
        default_storage.connection.meta.client.head_bucket(Bucket=bucket)  # type: ignore[attr-defined]
        return {"ok": True, "backend": "s3", "bucket": bucket}
    location = Path(getattr(default_storage, "location", ""))
    return {"ok": location.is_dir(), "backend": "filesystem", "location": str(location)}


def _check_storage() -> dict[str, Any]:
    global _storage_checked
    now = time.monotonic()
    if _storage_checked is None or now - _storage_checked[0] > STORAGE_CHECK_SECONDS:
        try:
            result = _storage_probe()
        except Exception as exc:
            result = {"ok": False, "error": type(exc).__name__}
        _storage_checked = (now, result)
    return dict(_storage_checked[1])


def _check_queue() -> dict[str, Any]:
    backend = str(settings.TASKS["default"]["BACKEND"])
    if backend.startswith("django_tasks_rq"):
        import django_rq
        from rq.registry import FailedJobRegistry

        queue = django_rq.get_queue("default")
        queue.connection.ping()
        failed = FailedJobRegistry(queue=queue).count
        return {"ok": True, "backend": "redis", "queued": queue.count, "failed": failed}
    from django_tasks_db.models import DBTaskResult

    return {"ok": True, "backend": "database", "queued": DBTaskResult.objects.ready().count()}


def _check_workers() -> dict[str, Any]:
    stale_before = timezone.now() - timedelta(seconds=settings.MOTCUA_WORKER_STALE_SECONDS)
    alive = WorkerHeartbeat.objects.filter(last_seen__gte=stale_before).count()
    return {"ok": alive > 0, "alive": alive}


CHECKS: dict[str, Callable[[], dict[str, Any]]] = {
    "database": _check_database,
    "storage": _check_storage,
    "queue": _check_queue,
    "workers": _check_workers,
}


def health_report() -> dict[str, Any]:
    """Every part with its detail, and "ok" for the whole."""
    report: dict[str, Any] = {}
    for name, check in CHECKS.items():
        try:
            report[name] = check()
        except Exception as exc:  # a health check reports every failure instead of raising
            report[name] = {"ok": False, "error": type(exc).__name__}
    report["ok"] = all(part["ok"] for part in report.values())
    return report


def health_detail_allowed(request: HttpRequest) -> bool:
    """Staff, or the monitoring token in `Authorization: Bearer …` (see the module docstring)."""
    token = settings.MOTCUA_HEALTHZ_TOKEN
    sent = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if token and hmac.compare_digest(sent.encode(), token.encode()):
        return True
    try:  # the session and user live in the database, which may be the part that is down
        return bool(request.user.is_staff)
    except Exception:
        return False


def health_summary(report: dict[str, Any]) -> dict[str, Any]:
    """The report without detail: ok or not, per part."""
    return {name: value if name == "ok" else {"ok": value["ok"]} for name, value in report.items()}
