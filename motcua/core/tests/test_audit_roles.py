"""On PostgreSQL the runtime role cannot lift or get around the audit trail's protection.

Production runs `migrate` as the owner role and serves with a runtime role granted by
`db_grant_runtime_role`. Connected as that runtime role, the application records events and
changes other tables normally, while every way the outside trial tampered is refused.
"""

import os
import subprocess
import sys
from collections.abc import Iterator
from importlib import import_module
from pathlib import Path

import psycopg
import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from motcua.core.audit import audit_record
from motcua.core.audit_anchors import audit_verify
from motcua.core.constants import CalendarOverrideKind
from motcua.core.models import AuditEvent, CalendarOverride
from motcua.core.testing import PRODUCTION_SAFE_ENV

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
        "BEGIN RETURN NULL; END; $$ LANGUAGE plpgsql": "permission denied for schema|must be owner",
        "SELECT id FROM core_auditevent FOR UPDATE": "permission denied",
        # The dossiers' domain events are insert-only for the runtime role too.
        "UPDATE events_domainevent SET kind = 'withdrawn'": "permission denied",
        "DELETE FROM events_domainevent": "permission denied",
        "TRUNCATE events_domainevent": "permission denied",
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


def test_the_operator_steps_with_two_roles(transactional_db: None, tmp_path: Path) -> None:
    """The documented setup, run as an operator would: a non-superuser owner migrates and grants,
    the production profile then serves as the runtime role, which records and verifies but
    cannot lift the protection."""
    database = "motcua_two_roles_test"
    roles = {"owner": "motcua_owner_test", "runtime": "motcua_app_test"}
    for sql in (
        f"DROP DATABASE IF EXISTS {database} WITH (FORCE)",
        *(f"DROP ROLE IF EXISTS {role}" for role in roles.values()),
        *(f"CREATE ROLE {role} LOGIN PASSWORD 'secret-of-{role}'" for role in roles.values()),
        f"CREATE DATABASE {database} OWNER {roles['owner']}",
    ):
        _execute(sql)
    server = connection.settings_dict
    environment = {
        **{key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "MOTCUA_"))},
        "DJANGO_SETTINGS_MODULE": "motcua.conf.production",
        **PRODUCTION_SAFE_ENV,
        "S3_BUCKET": "unused-by-these-commands",
        "MOTCUA_ALLOW_DEMO_PLUGINS": "true",
        "MOTCUA_VAR_DIR": str(tmp_path),
        "POSTGRES_HOST": server["HOST"],
        "POSTGRES_PORT": str(server["PORT"]),
        "POSTGRES_DB": database,
    }

    def manage(as_role: str, *arguments: str) -> str:
        role = roles[as_role]
        done = subprocess.run(
            [sys.executable, "manage.py", *arguments],
            cwd=django_settings.BASE_DIR,
            env={**environment, "POSTGRES_USER": role, "POSTGRES_PASSWORD": f"secret-of-{role}"},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    try:
        manage("owner", "migrate", "--no-input")
        manage("owner", "db_grant_runtime_role", roles["runtime"])
        record = (
            "from django.db import transaction; from motcua.core.audit import audit_record\n"
            "for i in range(2):\n    with transaction.atomic(): audit_record(actor='operator', action='test.two_roles')"
        )
        manage("runtime", "shell", "-c", record)
        assert "Audit chain intact: 2 events checked." in manage("runtime", "audit_verify", "--anchors", "0")
        runtime = psycopg.connect(
            host=server["HOST"], port=server["PORT"], dbname=database, user=roles["runtime"], autocommit=True
        )
        with runtime:
            for sql in (
                "DELETE FROM core_auditevent WHERE id = (SELECT max(id) FROM core_auditevent)",
                "ALTER TABLE core_auditevent DISABLE TRIGGER USER",
                "TRUNCATE core_auditevent",
            ):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    runtime.execute(sql)
        owner = psycopg.connect(host=server["HOST"], port=server["PORT"], dbname=database, user=roles["owner"])
        with owner, pytest.raises(psycopg.errors.RaiseException, match="insert-only"):
            owner.execute("DELETE FROM core_auditevent")  # the owner may lift the triggers; the anchors tell
    finally:
        _execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        for role in roles.values():
            _execute(f"DROP ROLE IF EXISTS {role}")
