"""The chain's head is its newest event: drop the head row, and refuse a second successor."""

from importlib import import_module

from django.db import migrations, models

insert_only = import_module("motcua.core.migrations.0002_audit_insert_only")


def reinstall_sqlite_triggers(apps, schema_editor):
    # SQLite adds the unique constraint by rebuilding the table; the triggers went with the old one.
    if schema_editor.connection.vendor == "sqlite":
        insert_only.create_triggers(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_audit_insert_only")]

    operations = [
        migrations.DeleteModel(name="AuditChainHead"),
        migrations.AlterField(
            model_name="auditevent",
            name="previous_hash",
            field=models.CharField(max_length=64, unique=True, verbose_name="hash trước"),
        ),
        migrations.RunPython(reinstall_sqlite_triggers, migrations.RunPython.noop),
    ]
