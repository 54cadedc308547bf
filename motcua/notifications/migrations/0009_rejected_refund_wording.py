"""The refusal messages tell the applicant how and when the fees they paid come back
(`{{ refund }}`). Templates still in the old default wording get the new one; templates an
administrator reworded are left as they are."""

from django.db import migrations

OLD_EMAIL = "Lý do:\n{{ reason }}\n\nTra cứu hồ sơ: {{ tracking_url }}"
NEW_EMAIL = "Lý do:\n{{ reason }}\n{% if refund %}\n{{ refund }}\n{% endif %}\nTra cứu hồ sơ: {{ tracking_url }}"
OLD_SMS = "Hồ sơ {{ code }} không được tiếp nhận. Xem lý do tại: {{ tracking_url }}"
NEW_SMS = "Hồ sơ {{ code }} không được tiếp nhận.{% if refund %} {{ refund }}{% endif %} Xem lý do tại: {{ tracking_url }}"


def reword(apps, schema_editor):
    templates = apps.get_model("notifications", "NotificationTemplate").objects.filter(event="rejected")
    for template in templates.filter(channel="email", body__contains=OLD_EMAIL):
        template.body = template.body.replace(OLD_EMAIL, NEW_EMAIL)
        template.save(update_fields=["body"])
    templates.filter(channel="sms", body=OLD_SMS).update(body=NEW_SMS)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0008_result_posted_event"),
    ]

    operations = [migrations.RunPython(reword, migrations.RunPython.noop)]
