"""Database triggers that refuse DELETE on receipts and their lines, on both databases: a receipt
is cancelled and replaced, never removed (the installer is the audit trail's)."""

from importlib import import_module

from django.conf import settings
from django.db import migrations

insert_only = import_module("motcua.core.migrations.0002_audit_insert_only")

TABLES = ("payments_receipt", "payments_receiptline")
SQLITE = [
    f"""CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
       BEGIN SELECT RAISE(ABORT, 'receipts are never deleted'); END"""
    for table in TABLES
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION payments_receipt_refuse() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'receipts are never deleted'; END; $$ LANGUAGE plpgsql""",
    *(
        f"""CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
       FOR EACH ROW EXECUTE FUNCTION payments_receipt_refuse()"""
        for table in TABLES
    ),
    *(
        f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
       FOR EACH STATEMENT EXECUTE FUNCTION payments_receipt_refuse()"""
        for table in TABLES
    ),
]


def create_triggers(apps, schema_editor):
    # Off in the test profile like the audit's (test databases are flushed between tests).
    if not getattr(settings, "MOTCUA_AUDIT_TRIGGERS", True):
        return
    install_triggers(schema_editor.connection)


def install_triggers(connection):
    insert_only.install_triggers(connection, sqlite=SQLITE, postgres=POSTGRES)


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial"), ("core", "0002_audit_insert_only")]
    operations = [migrations.RunPython(create_triggers, migrations.RunPython.noop)]
