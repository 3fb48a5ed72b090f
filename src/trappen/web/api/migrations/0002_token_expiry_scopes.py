"""Tokens expire and carry scopes (#14). Tokens made before this migration keep working until
90 days after they were made, with read and write (what they could do before)."""

import datetime as dt

from django.db import migrations, models


def _expire_old_tokens(apps, schema_editor):
    ApiToken = apps.get_model("api", "ApiToken")
    for token in ApiToken.objects.all():
        token.expires_at = token.created_at + dt.timedelta(days=90)
        token.scopes = "read write"
        token.save(update_fields=["expires_at", "scopes"])


class Migration(migrations.Migration):

    dependencies = [("api", "0001_initial")]

    operations = [
        migrations.AddField("apitoken", "name", models.CharField(blank=True, default="", max_length=100)),
        migrations.AddField("apitoken", "scopes", models.CharField(default="read", max_length=40)),
        migrations.AddField("apitoken", "expires_at", models.DateTimeField(null=True)),
        migrations.AddField("apitoken", "last_used_at", models.DateTimeField(blank=True, null=True)),
        migrations.RunPython(_expire_old_tokens, migrations.RunPython.noop),
    ]
