"""On PostgreSQL the runtime role cannot lift or get around the audit trail's protection.

Production runs `migrate` as the owner role and serves with a runtime role granted by
`db_grant_runtime_role`. Connected as that runtime role, the application records events and
changes other tables normally, while every way the outside trial tampered is refused.
"""

from collections.abc import Iterator
from importlib import import_module
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from motcua.core.audit import audit_record
from motcua.core.audit_anchors import audit_verify
from motcua.core.constants import CalendarOverrideKind
from motcua.core.models import AuditEvent, CalendarOverride

RUNTIME_ROLE = "motcua_runtime_test"

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="database roles are PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]


def _execute(sql: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql)


@pytest.fixture
def runtime_role(transactional_db: None, settings, tmp_path: Path) -> Iterator[str]:
    """A runtime role without grants yet, and the insert-only triggers, committed; all removed
    after (as the owner again), so the test database can be flushed."""
    settings.MEDIA_ROOT = tmp_path
    owner = connection.settings_dict["USER"]
    _execute(f"DROP ROLE IF EXISTS {RUNTIME_ROLE}")
    _execute(f"CREATE ROLE {RUNTIME_ROLE} LOGIN")
    import_module("motcua.core.migrations.0002_audit_insert_only").install_triggers(connection)
    try:
        yield RUNTIME_ROLE
    finally:
        _as(owner)
        _execute("DROP TABLE IF EXISTS core_later_migration_probe")
        _execute("DROP TRIGGER core_auditevent_no_change ON core_auditevent")
        _execute("DROP TRIGGER core_auditevent_no_truncate ON core_auditevent")
        _execute(f"DROP OWNED BY {RUNTIME_ROLE}")
        _execute(f"DROP ROLE {RUNTIME_ROLE}")


def _as(user: str) -> None:
    """Reconnect Django's connection as `user` (the test server trusts local connections)."""
    connection.close()
    connection.settings_dict["USER"] = user


def _record(n: int) -> list[AuditEvent]:
    with transaction.atomic():
        return [audit_record(actor="runtime", action="test.role", summary={"i": i}) for i in range(n)]


def test_the_runtime_role_records_but_cannot_tamper(runtime_role: str) -> None:
    call_command("db_grant_runtime_role", runtime_role)
    call_command("db_grant_runtime_role", runtime_role)  # idempotent: run after every migrate
    _execute("CREATE TABLE core_later_migration_probe (id integer)")  # a table a later migration adds
    _as(runtime_role)
    events = _record(3)
    _execute("INSERT INTO core_later_migration_probe VALUES (1)")
    override = CalendarOverride.objects.create(date="2026-12-26", kind=CalendarOverrideKind.WORKING_DAY, reason="Bù")
    CalendarOverride.objects.filter(pk=override.pk).update(reason="Làm bù")
    CalendarOverride.objects.filter(pk=override.pk).delete()

    attempts = {
        f"DELETE FROM core_auditevent WHERE id = {events[-1].pk}": "permission denied",
        f"UPDATE core_auditevent SET summary = '{{}}' WHERE id = {events[0].pk}": "permission denied",
        "TRUNCATE core_auditevent": "permission denied",
        "ALTER TABLE core_auditevent DISABLE TRIGGER USER": "must be owner",
        "ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_no_change": "must be owner",
        "DROP TRIGGER core_auditevent_no_change ON core_auditevent": "must be owner",
        "ALTER TABLE core_auditevent OWNER TO motcua_runtime_test": "must be owner",
        "CREATE OR REPLACE FUNCTION core_auditevent_refuse() RETURNS trigger AS $$ "
        "BEGIN RETURN NULL; END; $$ LANGUAGE plpgsql": "must be owner|permission denied",
        "SELECT id FROM core_auditevent FOR UPDATE": "permission denied",
    }
    for sql, refusal in attempts.items():
        with pytest.raises(DatabaseError, match=refusal), transaction.atomic():
            _execute(sql)
    assert list(AuditEvent.objects.order_by("id")) == events
    assert audit_verify().intact


def test_the_owner_is_still_stopped_by_the_triggers(runtime_role: str) -> None:
    events = _record(2)
    for sql in (f"DELETE FROM core_auditevent WHERE id = {events[-1].pk}", "TRUNCATE core_auditevent"):
        with pytest.raises(DatabaseError, match="insert-only"), transaction.atomic():
            _execute(sql)


def test_a_role_that_could_lift_the_protection_is_refused(runtime_role: str) -> None:
    owner = connection.settings_dict["USER"]
    with pytest.raises(CommandError, match="superuser or acts as the owner"):
        call_command("db_grant_runtime_role", owner)
    _execute(f"GRANT {owner} TO {runtime_role}")
    with pytest.raises(CommandError, match="superuser or acts as the owner"):
        call_command("db_grant_runtime_role", runtime_role)
    with pytest.raises(CommandError, match="does not exist"):
        call_command("db_grant_runtime_role", "no_such_role")
