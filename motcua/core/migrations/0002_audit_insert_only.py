"""Database triggers that refuse UPDATE and DELETE on the audit trail, on both databases."""

from django.conf import settings
from django.db import migrations

SQLITE = [
    """CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE ON core_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are insert-only'); END""",
    """CREATE TRIGGER core_auditevent_no_delete BEFORE DELETE ON core_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are insert-only'); END""",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION core_auditevent_refuse() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit events are insert-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER core_auditevent_no_change BEFORE UPDATE OR DELETE ON core_auditevent
       FOR EACH ROW EXECUTE FUNCTION core_auditevent_refuse()""",
    """CREATE TRIGGER core_auditevent_no_truncate BEFORE TRUNCATE ON core_auditevent
       FOR EACH STATEMENT EXECUTE FUNCTION core_auditevent_refuse()""",
]


def create_triggers(apps, schema_editor):
    # The test profile turns them off so test databases can be flushed between tests; a test
    # installs them itself to prove they refuse changes.
    if not getattr(settings, "MOTCUA_AUDIT_TRIGGERS", True):
        return
    install_triggers(schema_editor.connection)


def install_triggers(connection, *, sqlite=SQLITE, postgres=POSTGRES):
    """Also used by other apps' migrations with their own statements (payments' receipts)."""
    statements = postgres if connection.vendor == "postgresql" else sqlite
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(create_triggers, migrations.RunPython.noop)]
