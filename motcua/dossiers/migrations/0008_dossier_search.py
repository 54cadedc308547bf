"""The back-office search: the applicant's folded name on each dossier, and a word index on it.

SQLite gets an FTS5 table kept by triggers (dossiers/search.py queries it); PostgreSQL a trigram
index, as for the catalogue search. Django rebuilds a SQLite table to alter it and drops its
triggers with it: a later migration that alters the dossier table must run FTS5_SQL again
(tests/test_dossier_search.py fails if the triggers are gone).
"""

from django.conf import settings
from django.db import migrations, models

from motcua.dossiers.search import FTS5_DROP_SQL, FTS5_SQL, applicant_folded


def backfill(apps, schema_editor):
    Dossier = apps.get_model("dossiers", "Dossier")
    CitizenProfile = apps.get_model("accounts", "CitizenProfile")
    names = dict(CitizenProfile.objects.values_list("user_id", "full_name"))
    submitted = Dossier.objects.exclude(code__isnull=True).select_related("applicant")
    for dossier in submitted.only("id", "applicant").iterator(chunk_size=2000):
        user = dossier.applicant
        name = names.get(user.pk) or f"{user.first_name} {user.last_name}".strip() or user.username
        Dossier.objects.filter(pk=dossier.pk).update(applicant_folded=applicant_folded(name))


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for statement in FTS5_SQL:
            schema_editor.execute(statement)
    elif vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS dossiers_dossier_applicant_trgm "
            "ON dossiers_dossier USING gin (applicant_folded gin_trgm_ops)"
        )


def drop_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for statement in FTS5_DROP_SQL:
            schema_editor.execute(statement)
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS dossiers_dossier_applicant_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_drop_clear_api_tokens"),
        ("dossiers", "0007_step_files"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="dossier",
            name="applicant_folded",
            field=models.CharField(blank=True, default="", editable=False, max_length=200),
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(fields=["submitted_at"], name="dossiers_do_submitt_790d08_idx"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.RunPython(create_index, drop_index),
    ]
