"""The word index also holds each dossier's scope (its receiving agency and its steps' agencies),
so a search within an officer's agencies is answered inside the index at a million dossiers.
SQLite: drops and recreates the FTS5 table and its triggers (now on the steps too). PostgreSQL:
a table of words (every start of each), scope and procedure with one GIN index, kept by
triggers, instead of the trigram index.
Steps get an (agency, dossier) index: an agency's scope comes from it without reading the steps.
"""

from django.db import migrations, models

from motcua.dossiers.search import FTS5_DROP_SQL, FTS5_SQL, POSTGRES_SQL


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for statement in [*FTS5_DROP_SQL, *FTS5_SQL]:
            schema_editor.execute(statement)
    elif vendor == "postgresql":
        for statement in POSTGRES_SQL:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0009_stop_and_withdrawal_after_acceptance")]

    operations = [
        migrations.AddIndex(
            model_name="dossierstep",
            index=models.Index(fields=["agency", "dossier"], name="dossiers_do_agency__429ede_idx"),
        ),
        migrations.RunPython(create_index, migrations.RunPython.noop),
    ]
