"""One child per CPR number (#14 item 4): a unique constraint on the CPR lookup hash.

Before the constraint, parallel notifications about one new CPR number could register the
child several times. If a database holds such duplicates, the migration stops and names the
child ids of each CPR number held more than once (ids only, no CPR numbers), to be merged by
hand before migrating again.
"""

from django.db import migrations, models
from django.db.models import Count


def refuse_duplicates(apps, schema_editor):
    Child = apps.get_model("register", "Child")
    dupes = (Child.objects.values("cpr_lookup").annotate(n=Count("id")).filter(n__gt=1)
             .values_list("cpr_lookup", flat=True))
    groups = [sorted(Child.objects.filter(cpr_lookup=lookup).values_list("id", flat=True)) for lookup in dupes]
    if groups:
        raise RuntimeError("children registered more than once under one CPR number; merge them first: "
                           + "; ".join(", ".join(map(str, g)) for g in groups[:50]))


class Migration(migrations.Migration):

    dependencies = [
        ("register", "0006_choices_labels"),
    ]

    operations = [
        migrations.RunPython(refuse_duplicates, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="child",
            name="cpr_lookup",
            field=models.CharField(max_length=128, unique=True),
        ),
    ]
