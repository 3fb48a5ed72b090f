from django.apps import AppConfig


class InvestmentsConfig(AppConfig):
    name = "trappen.web.investments"
    label = "investments"
    default_auto_field = "django.db.models.BigAutoField"
