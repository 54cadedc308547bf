"""Indexes the statutory report reads dossiers by (docs/reports.md): reception and result times.

They live on the dossiers' table but serve this app's report, so they are plain SQL here rather
than in `Dossier.Meta` (the model's state is unchanged; both engines take `IF NOT EXISTS`)."""

from django.db import migrations

INDEXES = {
    "dossiers_dossier_received_at_report": "received_at",
    "dossiers_dossier_processed_at_report": "processed_at",
}


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_daily_dossier_counts"),
        ("dossiers", "0011_dossier_fees_due"),
    ]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX IF NOT EXISTS {name} ON dossiers_dossier ({column})",
            reverse_sql=f"DROP INDEX IF EXISTS {name}",
        )
        for name, column in INDEXES.items()
    ]
