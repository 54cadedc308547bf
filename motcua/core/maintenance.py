"""Maintenance mode: one switch every web process sees, kept where no database is needed.

The switch lives in the default cache (Redis in production, the diskcache folder in the embedded
profile), which every web process on every host already shares, and which stays readable while
the database is being migrated or restored. A copy goes to a file under MOTCUA_VAR_DIR: a process
that cannot reach the cache reads that file instead, so an operator who switched maintenance on
while Redis was down still sees it on that host, and a Redis outage never stops every page.
"""

import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.utils import timezone

logger = logging.getLogger(__name__)

CACHE_KEY = "motcua:maintenance"
# Retry-After when the operator gave no expected end.
DEFAULT_RETRY_AFTER_SECONDS = 300


@dataclass(frozen=True)
class Maintenance:
    message: str
    started_at: datetime
    until: datetime | None

    def retry_after_seconds(self) -> int:
        if self.until is None:
            return DEFAULT_RETRY_AFTER_SECONDS
        # Past the announced end the work is overrunning: ask clients to come back in a minute.
        return max(60, int((self.until - timezone.now()).total_seconds()))

    def as_json(self) -> str:
        return json.dumps(
            {
                "message": self.message,
                "started_at": self.started_at.isoformat(),
                "until": self.until.isoformat() if self.until else None,
            }
        )

    @classmethod
    def from_json(cls, raw: str) -> "Maintenance":
        data: dict[str, Any] = json.loads(raw)
        until = data.get("until")
        return cls(
            message=data.get("message") or "",
            started_at=datetime.fromisoformat(data["started_at"]),
            until=datetime.fromisoformat(until) if until else None,
        )


def _flag_file() -> Path:
    return Path(settings.VAR_DIR) / "maintenance.json"


_cache_failing = False
# This process's last answer: (time.monotonic() of the check, state).
_checked: tuple[float, Maintenance | None] | None = None


def maintenance_current() -> Maintenance | None:
    """The state for a request: asked of the cache at most every MOTCUA_MAINTENANCE_CHECK_SECONDS.

    A switch reaches every process within that interval, and a busy process does not pay a cache
    round trip on every request (about as long as the trivial page itself with Redis).
    """
    global _checked
    now = time.monotonic()
    if _checked is None or now - _checked[0] >= settings.MOTCUA_MAINTENANCE_CHECK_SECONDS:
        _checked = (now, maintenance_get())
    return _checked[1]


def maintenance_get() -> Maintenance | None:
    """The current maintenance, or None when the site is open. Never raises."""
    global _cache_failing
    try:
        raw = caches["default"].get(CACHE_KEY)
    except Exception:  # any cache outage: fall back to this host's copy
        if not _cache_failing:
            logger.warning("Maintenance flag: cache unreachable, reading %s instead", _flag_file(), exc_info=True)
        _cache_failing = True
        try:
            raw = _flag_file().read_text()
        except OSError:
            raw = None
    else:
        _cache_failing = False
    if not raw:
        return None
    try:
        return Maintenance.from_json(raw)
    except (ValueError, KeyError, TypeError):
        logger.error("Maintenance flag unreadable, ignored: %r", raw)
        return None


def maintenance_start(*, message: str = "", duration: timedelta | None = None) -> tuple[Maintenance, list[str]]:
    """Switches maintenance on; returns it and the places it could not be written to."""
    now = timezone.now()
    maintenance = Maintenance(message=message, started_at=now, until=now + duration if duration else None)
    return maintenance, _write(maintenance.as_json())


def maintenance_stop() -> list[str]:
    """Switches maintenance off; returns the places it could not be cleared from."""
    return _write(None)


def _write(raw: str | None) -> list[str]:
    global _checked
    _checked = None  # this process sees its own switch at once
    failures = []
    try:
        if raw is None:
            caches["default"].delete(CACHE_KEY)
        else:
            # No expiry: maintenance ends when the operator says so.
            caches["default"].set(CACHE_KEY, raw, timeout=None)
    except Exception as exc:  # reported to the operator, who decides what to do
        failures.append(f"cache ({type(exc).__name__}: {exc})")
    path = _flag_file()
    try:
        if raw is None:
            path.unlink(missing_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(raw)
    except OSError as exc:
        failures.append(f"file {path} ({exc})")
    return failures
