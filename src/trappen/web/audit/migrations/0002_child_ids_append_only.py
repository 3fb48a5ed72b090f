"""A list page's child ids on its audit event; the database refuses UPDATE and DELETE on the
audit table (triggers per vendor, see trappen.web.audit.triggers)."""

from typing import Any

from django.db import migrations, models


def _create(apps: Any, schema_editor: Any) -> None:
    from trappen.web.audit.triggers import append_only_create

    append_only_create(schema_editor.connection)


def _drop(apps: Any, schema_editor: Any) -> None:
    from trappen.web.audit.triggers import append_only_drop

    append_only_drop(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="child_ids",
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.RunPython(_create, _drop),
    ]
