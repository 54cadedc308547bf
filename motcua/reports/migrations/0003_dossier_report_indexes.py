"""Indexes the statutory report finds its dossiers by (docs/reports.md): result times, and the
withdrawals and stops of a period in the status history (reception times: dossiers 0012).

They live on the dossiers' tables but serve this app's report, so they are plain SQL here rather
than in the models' Meta (the models' state is unchanged; both engines take `IF NOT EXISTS`)."""

from django.db import migrations

INDEXES = {
    "dossiers_dossier_processed_at_report": "dossiers_dossier (processed_at)",
    "dossiers_statuschange_to_status_report": "dossiers_dossierstatuschange (to_status, created_at)",
}


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_daily_dossier_counts"),
        # 0012 indexes received_at (the dashboards'), which this report uses too.
        ("dossiers", "0012_dossier_received_at_indexes"),
    ]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX IF NOT EXISTS {name} ON {table_columns}",
            reverse_sql=f"DROP INDEX IF EXISTS {name}",
        )
        for name, table_columns in INDEXES.items()
    ]
