"""The default wording of every event and channel, so administrators find templates to edit.

Only missing templates are created; the same defaults are also created on first use
(services.notification_template_for) and by services.notification_templates_ensure().
"""

from django.db import migrations


def create_defaults(apps, schema_editor):
    from django.utils import translation

    from motcua.notifications.defaults import default_templates

    template_model = apps.get_model("notifications", "NotificationTemplate")
    with translation.override("vi"):
        for default in default_templates():
            template_model.objects.get_or_create(
                event=default["event"],
                channel=default["channel"],
                defaults={k: v for k, v in default.items() if k not in ("event", "channel")},
            )


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_outbox"),
    ]

    operations = [
        migrations.RunPython(create_defaults, migrations.RunPython.noop),
    ]
