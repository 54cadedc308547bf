"""The audit trail is insert-only, hash-chained, written with the change, and verifiable."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, IntegrityError, connection, transaction

from motcua.core.audit import audit_record, audit_verify_chain
from motcua.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def record_events(n: int) -> list[AuditEvent]:
    with transaction.atomic():
        return [
            audit_record(
                actor="tester",
                action="test.action",
                object_type="thing",
                object_id=str(i),
                object_repr=f"Thing {i}",
                summary={"i": i},
            )
            for i in range(n)
        ]


def test_chain_links_each_event_to_the_previous() -> None:
    events = record_events(3)
    assert events[1].previous_hash == events[0].hash
    assert events[2].previous_hash == events[1].hash
    report = audit_verify_chain()
    assert report.intact and report.checked == 3


@pytest.mark.django_db(transaction=True)
def test_recording_outside_a_transaction_is_refused() -> None:
    """An event must be written in the same transaction as the change it records."""
    with pytest.raises(RuntimeError):
        audit_record(actor="tester", action="x")


def test_event_rolls_back_with_its_change() -> None:
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        audit_record(actor="tester", action="x")
        _ = 1 / 0
    assert AuditEvent.objects.count() == 0


def test_model_refuses_update_and_delete() -> None:
    event = record_events(1)[0]
    event.action = "changed"
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


def test_tampering_is_found_and_named(capsys: pytest.CaptureFixture[str]) -> None:
    """Edit a row behind the application's back: the command names that row."""
    events = record_events(4)
    AuditEvent.objects.filter(pk=events[2].pk).update(summary={"i": 999})
    report = audit_verify_chain()
    assert report.broken_event_id == events[2].pk
    with pytest.raises(CommandError, match=f"event {events[2].pk}"):
        call_command("audit_verify")


def test_a_second_successor_of_one_event_is_refused() -> None:
    """Two writers that chained onto the same event cannot both commit: the chain never forks."""
    first = record_events(1)[0]
    duplicate = AuditEvent(
        created_at=first.created_at, actor_label="x", action="x", previous_hash=first.previous_hash, hash="f" * 64
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_command_reports_intact_chain(capsys: pytest.CaptureFixture[str]) -> None:
    record_events(2)
    call_command("audit_verify")
    assert "2 events" in capsys.readouterr().out


def test_database_triggers_refuse_update_and_delete() -> None:
    """Even raw SQL cannot change the trail once the triggers are installed."""
    from importlib import import_module

    migration = import_module("motcua.core.migrations.0002_audit_insert_only")
    event = record_events(1)[0]
    with transaction.atomic():
        migration.install_triggers(connection)
        for sql in ("UPDATE core_auditevent SET action = 'x'", "DELETE FROM core_auditevent"):
            with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql)
        transaction.set_rollback(True)  # drop the triggers again so the test database can be flushed
    assert AuditEvent.objects.get(pk=event.pk).action == "test.action"
