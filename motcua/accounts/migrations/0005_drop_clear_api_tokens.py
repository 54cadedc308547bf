"""Remove the API tokens DRF's authtoken kept in clear (replaced by django-rest-knox's digests).

`rest_framework.authtoken` is no longer installed, so nothing else drops its table: the clear
tokens would stay readable in the database and in every backup. Those tokens stop working with
this release anyway (clients log in again, docs/operations.md "Upgrades").
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_otp_assisted_identity"),
    ]

    operations = [
        migrations.RunSQL("DROP TABLE IF EXISTS authtoken_token", reverse_sql=migrations.RunSQL.noop),
    ]
