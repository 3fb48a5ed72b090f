from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "trappen.web.reports"
    label = "council_reports"
    default_auto_field = "django.db.models.BigAutoField"
