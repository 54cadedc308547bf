"""Tampering with the audit trail behind the application's back is detected and its place named.

Each test plays someone who can lift the insert-only protection (the tables' owner or a database
superuser): the signed anchors outside the database are what still tells.
"""

import json
from datetime import UTC, datetime, timedelta
from importlib import import_module
from pathlib import Path

import pytest
import time_machine
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils.module_loading import import_string

from motcua.core.audit import _event_digest, audit_verify_chain
from motcua.core.audit_anchors import (
    AuditChainBroken,
    audit_anchor_write,
    audit_anchors_latest,
    audit_verify,
)
from motcua.core.models import AuditEvent
from motcua.core.tests.test_audit_chain import record_events

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def anchor_store(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _anchored_chain() -> list[AuditEvent]:
    """Nine events, anchored after the 3rd, 6th and 9th."""
    events: list[AuditEvent] = []
    for _ in range(3):
        events += record_events(3)
        assert audit_anchor_write() is not None
    return events


def _lift_protection() -> None:
    """Install the insert-only triggers, see them refuse, then switch them off as a superuser would.

    The test's transaction rolls all of it back.
    """
    import_module("motcua.core.migrations.0002_audit_insert_only").install_triggers(connection)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE refuses pending foreign-key checks
            cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER core_auditevent_no_update")
            cursor.execute("DROP TRIGGER core_auditevent_no_delete")


def _rewrite_from(events: list[AuditEvent], start: int) -> None:
    """Change event `start` and give it and every later event a valid hash: a consistent forgery."""
    previous_hash = events[start - 1].hash
    for index, event in enumerate(events[start:]):
        if index == 0:
            event.summary = {"forged": True}
        event.previous_hash = previous_hash
        event.hash = _event_digest(previous_hash=previous_hash, event=event)
        AuditEvent.objects.filter(pk=event.pk).update(summary=event.summary, previous_hash="~" + event.hash[1:])
        previous_hash = event.hash
    for event in events[start:]:  # a second pass: previous_hash is unique, so no two rows may share it midway
        AuditEvent.objects.filter(pk=event.pk).update(previous_hash=event.previous_hash, hash=event.hash)


def test_deleting_the_newest_events_names_the_missing_anchored_event() -> None:
    """There is no head row to fix: the head is the newest event, and its anchor remembers it."""
    events = _anchored_chain()
    _lift_protection()
    AuditEvent.objects.filter(pk__in=[events[-1].pk, events[-2].pk]).delete()
    assert audit_verify_chain().intact, "the links alone cannot tell a shortened chain"

    report = audit_verify()
    assert report.broken_event_id == events[-1].pk
    assert "is missing: the newest events were removed" in report.reason
    with pytest.raises(CommandError, match=f"broken at event {events[-1].pk} after 7 good events"):
        call_command("audit_verify")


def test_deleting_and_recording_anew_is_still_caught() -> None:
    """Deleted events replaced by new ones (SQLite reuses the ids) do not match the anchor."""
    events = _anchored_chain()
    _lift_protection()
    AuditEvent.objects.filter(pk__in=[events[-1].pk, events[-2].pk]).delete()
    record_events(3)
    report = audit_verify()
    assert report.broken_event_id == events[-1].pk
    assert not report.intact


def test_rewriting_every_hash_after_a_point_names_the_first_anchored_event_after_it() -> None:
    events = _anchored_chain()
    _lift_protection()
    _rewrite_from(events, 4)
    assert audit_verify_chain().intact, "the forgery has valid links and hashes"

    report = audit_verify()
    assert report.broken_event_id == events[5].pk
    assert f"rewritten at or before it (after event {events[2].pk}" in report.reason
    with pytest.raises(CommandError, match=f"broken at event {events[5].pk} after 5 good events"):
        call_command("audit_verify")


def test_rewriting_the_whole_chain_is_caught_by_the_oldest_anchor() -> None:
    events = _anchored_chain()
    _lift_protection()
    _rewrite_from(events, 1)
    report = audit_verify()
    assert report.broken_event_id == events[2].pk
    assert "after event" not in report.reason  # no anchored event before it still matches


def test_editing_one_event_names_it() -> None:
    events = _anchored_chain()
    _lift_protection()
    AuditEvent.objects.filter(pk=events[4].pk).update(summary={"i": 999})
    report = audit_verify()
    assert report.broken_event_id == events[4].pk
    assert report.reason == "content does not match its hash"


def test_an_anchor_written_without_the_key_is_rejected(settings, anchor_store: Path) -> None:
    """A forger who rewrote the chain and signs its new head with a key of their own vouches for
    nothing; neither does an anchor without a signature."""
    events = _anchored_chain()
    _lift_protection()
    _rewrite_from(events, 7)
    settings.MOTCUA_AUDIT_ANCHOR_KEY = "a-key-the-forger-made-up"
    forged = audit_anchor_write()
    assert forged is not None
    settings.MOTCUA_AUDIT_ANCHOR_KEY = ""
    unsigned = json.loads((anchor_store / forged.name).read_text())
    del unsigned["signature"]
    unsigned_name = str(Path(forged.name).with_name("999999999999.json"))
    (anchor_store / unsigned_name).write_text(json.dumps(unsigned))

    report = audit_verify()
    assert set(report.rejected_anchors) == {forged.name, unsigned_name}
    assert report.broken_event_id == events[8].pk  # the genuine anchor of the old head
    with pytest.raises(CommandError, match=r"999999999999\.json is not signed with the platform key"):
        call_command("audit_verify")


def test_the_writer_refuses_to_anchor_a_broken_chain(anchor_store: Path) -> None:
    """An anchor vouches for everything before it, so none is written over a rewritten past."""
    events = _anchored_chain()
    _lift_protection()
    _rewrite_from(events, 2)
    record_events(1)
    with pytest.raises(AuditChainBroken, match=f"event {events[8].pk}"):
        audit_anchor_write()
    assert len(list(anchor_store.glob("audit-anchors/*/*/*/*.json"))) == 3
    with pytest.raises(CommandError, match="Not anchored"):
        call_command("audit_anchor")


def test_nothing_new_writes_no_anchor(anchor_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events = record_events(2)
    call_command("audit_anchor")
    assert f"Anchored event {events[-1].pk} (2 events)" in capsys.readouterr().out
    call_command("audit_anchor")
    assert "Nothing new to anchor." in capsys.readouterr().out
    assert len(list(anchor_store.glob("audit-anchors/*/*/*/*.json"))) == 1


def test_the_command_reports_what_the_anchors_cover(capsys: pytest.CaptureFixture[str]) -> None:
    events = _anchored_chain()
    record_events(2)
    call_command("audit_verify")
    out = capsys.readouterr().out
    assert "11 events checked" in out
    assert f"3 anchors match; the latest signs event {events[-1].pk} (event 9 of the chain)" in out
    assert "2 newer events are not anchored yet" in out


def test_without_anchors_the_command_warns(capsys: pytest.CaptureFixture[str]) -> None:
    record_events(1)
    call_command("audit_verify")
    assert "removing the newest events would not be detected" in capsys.readouterr().out


def test_anchors_stay_valid_after_the_secret_key_rotates(settings) -> None:
    _anchored_chain()
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-0123456789abcdef0123456789"
    assert audit_verify().intact
    settings.SECRET_KEY_FALLBACKS = []
    assert len(audit_verify().rejected_anchors) == 3


def test_a_dedicated_anchor_key_replaces_the_secret_key(settings) -> None:
    settings.MOTCUA_AUDIT_ANCHOR_KEY = "dedicated-anchor-key"
    _anchored_chain()
    assert audit_verify().intact
    settings.MOTCUA_AUDIT_ANCHOR_KEY = ""
    assert len(audit_verify().rejected_anchors) == 3


class CountingStorage(FileSystemStorage):
    listed = 0
    opened = 0

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        self.listed += 1
        return super().listdir(path)

    def open(self, name: str, mode: str = "rb"):  # type: ignore[no-untyped-def]
        self.opened += 1
        return super().open(name, mode)


def test_the_latest_anchors_are_found_without_listing_the_whole_store(anchor_store: Path) -> None:
    """Anchors live in day folders; finding the newest lists a handful of folders, not all of them."""
    first_day = datetime(2026, 10, 2, 3, tzinfo=UTC)
    for day in range(40):
        with time_machine.travel(first_day + timedelta(days=day)):
            record_events(1)
            audit_anchor_write()
    storage = CountingStorage(anchor_store)
    listing = audit_anchors_latest(limit=2, storage=storage)
    assert [anchor.count for anchor in listing.anchors] == [40, 39]
    assert listing.anchors[0].name.startswith("audit-anchors/2026/11/10/")
    assert storage.opened == 2
    assert storage.listed <= 5  # root, year, month, and the two newest days


def test_the_periodic_job_anchors_the_head(settings) -> None:
    path = "motcua.core.audit_anchors.audit_anchor_head"
    assert settings.MOTCUA_PERIODIC_TASKS[path] > 0
    events = record_events(2)
    import_string(path).enqueue()
    assert [anchor.event_id for anchor in audit_anchors_latest(limit=5).anchors] == [events[-1].pk]
