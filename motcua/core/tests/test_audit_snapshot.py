"""Verifying while events are being recorded and anchored never reports a break that is not there.

The outside trial saw "newest events were removed" in every run made during submissions: the
events and the head were read at different moments. Verification now reads one snapshot, and
the anchors it checks against are read before it. Runs on SQLite, and on PostgreSQL when
MOTCUA_TEST_POSTGRES_HOST is set.
"""

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import connection, transaction

from motcua.core.audit import audit_record
from motcua.core.audit_anchors import audit_anchor_write, audit_verify
from motcua.core.models import AuditEvent

WRITERS = 3
VERIFICATIONS = 40


def _in_thread(work: Callable[[], None], stop: threading.Event, errors: list[BaseException]) -> threading.Thread:
    def run() -> None:
        try:
            while not stop.is_set():
                work()
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _record_one() -> None:
    with transaction.atomic():
        audit_record(actor="writer", action="test.concurrent", object_type="thing", summary={"t": time.time()})


def _anchor() -> None:
    audit_anchor_write()
    time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_verification_during_concurrent_writes_raises_no_false_alarm(settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    stop = threading.Event()
    errors: list[BaseException] = []
    threads = [_in_thread(_record_one, stop, errors) for _ in range(WRITERS)]
    threads.append(_in_thread(_anchor, stop, errors))
    reports = []
    overlapped = 0
    try:
        while AuditEvent.objects.count() < 20:
            time.sleep(0.01)
        for _ in range(VERIFICATIONS):
            before = AuditEvent.objects.count()
            reports.append(audit_verify())
            overlapped += AuditEvent.objects.count() > before
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert not errors
    alarms = [report for report in reports if not report.intact]
    assert alarms == [], alarms[:3]
    assert overlapped >= VERIFICATIONS // 2, "writes must have landed while verifications ran"
    assert reports[-1].checked > reports[0].checked
    assert max(report.anchors_matched for report in reports) > 0
    final = audit_verify()
    assert final.intact and final.checked == AuditEvent.objects.count()
