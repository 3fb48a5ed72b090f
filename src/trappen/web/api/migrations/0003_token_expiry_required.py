"""Every token has an expiry (0002 gave the old ones theirs; a migration of its own so the data
change and the schema change do not share a PostgreSQL transaction)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [("api", "0002_token_expiry_scopes")]

    operations = [migrations.AlterField("apitoken", "expires_at", models.DateTimeField())]
