"""The `acknowledged` kind, and database triggers that refuse UPDATE and DELETE on the events
(as core's 0002_audit_insert_only does for the audit trail): consumers replay the stream, so no
one rewrites it."""

from django.conf import settings
from django.db import migrations, models

SQLITE = [
    """CREATE TRIGGER events_domainevent_no_update BEFORE UPDATE ON events_domainevent
       BEGIN SELECT RAISE(ABORT, 'domain events are insert-only'); END""",
    """CREATE TRIGGER events_domainevent_no_delete BEFORE DELETE ON events_domainevent
       BEGIN SELECT RAISE(ABORT, 'domain events are insert-only'); END""",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION events_domainevent_refuse() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'domain events are insert-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER events_domainevent_no_change BEFORE UPDATE OR DELETE ON events_domainevent
       FOR EACH ROW EXECUTE FUNCTION events_domainevent_refuse()""",
    """CREATE TRIGGER events_domainevent_no_truncate BEFORE TRUNCATE ON events_domainevent
       FOR EACH STATEMENT EXECUTE FUNCTION events_domainevent_refuse()""",
]


def create_triggers(apps, schema_editor):
    # Off in the test profile (test databases are flushed between tests), like the audit's.
    if not getattr(settings, "MOTCUA_AUDIT_TRIGGERS", True):
        return
    install_triggers(schema_editor.connection)


def install_triggers(connection):
    statements = POSTGRES if connection.vendor == "postgresql" else SQLITE
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0001_domain_events"),
    ]

    operations = [
        migrations.RunPython(create_triggers, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="domainevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("submitted", "Nộp hồ sơ"),
                    ("acknowledged", "Xác nhận đã nhận hồ sơ"),
                    ("received", "Tiếp nhận hồ sơ"),
                    ("supplement_requested", "Yêu cầu bổ sung hồ sơ"),
                    ("supplemented", "Bổ sung hồ sơ"),
                    ("rejected", "Từ chối tiếp nhận"),
                    ("processing_started", "Bắt đầu xử lý"),
                    ("step_taken", "Nhận xử lý bước"),
                    ("step_assigned", "Phân công xử lý"),
                    ("forwarded", "Chuyển bước xử lý"),
                    ("sent_back", "Trả lại bước trước"),
                    ("consulted", "Xin ý kiến cơ quan khác"),
                    ("consultation_answered", "Trả lời xin ý kiến"),
                    ("paused", "Tạm dừng chờ bổ sung"),
                    ("resumed", "Tiếp tục xử lý"),
                    ("extended", "Gia hạn xử lý"),
                    ("approved", "Phê duyệt kết quả"),
                    ("result_signed", "Ký số kết quả"),
                    ("result_issued", "Ban hành kết quả"),
                    ("result_posted", "Gửi kết quả qua bưu chính"),
                    ("returned", "Trả kết quả"),
                    ("fees_due", "Phí, lệ phí phải nộp"),
                    ("fees_paid", "Đã nộp phí, lệ phí"),
                    ("rated", "Đánh giá mức độ hài lòng"),
                    ("feedback_received", "Tiếp nhận phản ánh, kiến nghị"),
                    ("feedback_answered", "Trả lời phản ánh, kiến nghị"),
                    ("stopped", "Dừng xử lý"),
                    ("withdrawal_requested", "Đề nghị rút hồ sơ"),
                    ("withdrawal_refused", "Không chấp nhận rút hồ sơ"),
                    ("withdrawn", "Rút hồ sơ"),
                ],
                max_length=32,
                verbose_name="sự kiện",
            ),
        ),
    ]
