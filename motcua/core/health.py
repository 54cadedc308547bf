"""Health of the parts a deployment depends on, for /healthz and monitoring."""

import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone

from motcua.core.models import WorkerHeartbeat


def _check_database() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "vendor": connection.vendor}


def _check_storage() -> dict[str, Any]:
    name = default_storage.save(f"healthz/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    try:
        with default_storage.open(name) as handle:
            ok = handle.read() == b"ok"
    finally:
        default_storage.delete(name)
    return {"ok": ok, "backend": type(default_storage).__name__}


def _check_worker() -> dict[str, Any]:
    stale_before = timezone.now() - timedelta(seconds=settings.MOTCUA_WORKER_STALE_SECONDS)
    alive = WorkerHeartbeat.objects.filter(last_seen__gte=stale_before).count()
    return {"ok": alive > 0, "alive": alive}


CHECKS = {"database": _check_database, "storage": _check_storage, "worker": _check_worker}


def health_report() -> dict[str, Any]:
    report: dict[str, Any] = {}
    for name, check in CHECKS.items():
        try:
            report[name] = check()
        except Exception as exc:  # a health check reports every failure instead of raising
            report[name] = {"ok": False, "error": type(exc).__name__}
    report["ok"] = all(part["ok"] for part in report.values())
    return report
