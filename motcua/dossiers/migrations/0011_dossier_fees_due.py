"""The fees a dossier owes, frozen from the procedure's fee rules and the answers.
SQLite rebuilds the dossier table to add NOT NULL columns, which its word-index triggers would
not survive: they are dropped first and the index made again afterwards."""

from django.db import migrations, models

from motcua.dossiers.search import FTS5_DROP_SQL, FTS5_SQL


def _sqlite(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0010_dossier_search_scope")]

    operations = [
        migrations.RunPython(_sqlite(FTS5_DROP_SQL), migrations.RunPython.noop),
        migrations.AddField(
            model_name="dossier",
            name="fee_lines",
            field=models.JSONField(blank=True, default=list, verbose_name="chi tiết phí, lệ phí"),
        ),
        migrations.AddField(
            model_name="dossier",
            name="fees_due",
            field=models.PositiveBigIntegerField(default=0, verbose_name="phí, lệ phí phải nộp (đồng)"),
        ),
        migrations.AlterField(
            model_name="dossierstep",
            name="role",
            field=models.CharField(
                choices=[
                    ("reception", "Cán bộ tiếp nhận (một cửa)"),
                    ("specialist", "Chuyên viên thụ lý"),
                    ("leader", "Lãnh đạo phê duyệt"),
                    ("clerk", "Văn thư"),
                    ("postal", "Nhân viên bưu điện"),
                    ("finance", "Kế toán thu phí, lệ phí"),
                    ("supervisor", "Giám sát"),
                    ("agency_admin", "Quản trị cơ quan"),
                    ("system_admin", "Quản trị hệ thống"),
                ],
                max_length=20,
                verbose_name="vai trò",
            ),
        ),
        migrations.RunPython(_sqlite(FTS5_SQL), migrations.RunPython.noop),
    ]
