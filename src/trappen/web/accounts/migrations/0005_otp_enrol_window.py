"""An enrolment window for the second factor (#14 item 5): a user sets up an authenticator app
only while an administrator has opened it (a new account, a reset). Users without an app at the
time of this migration get a window of TRAPPEN_OTP_ENROL_HOURS from now."""

import datetime as dt

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def _open_for_users_without_an_app(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    enrolled = TOTPDevice.objects.filter(confirmed=True).values("user_id")
    until = timezone.now() + dt.timedelta(hours=settings.TRAPPEN_OTP_ENROL_HOURS)
    User.objects.exclude(pk__in=enrolled).update(otp_enrol_until=until)


class Migration(migrations.Migration):

    dependencies = [("accounts", "0004_national_analyst_role"), ("otp_totp", "0001_initial")]

    operations = [
        migrations.AddField("user", "otp_enrol_until", models.DateTimeField(blank=True, null=True)),
        migrations.RunPython(_open_for_users_without_an_app, migrations.RunPython.noop),
    ]
