from django.apps import AppConfig


class EconomicsConfig(AppConfig):
    name = "trappen.web.economics"
    label = "economics"
    default_auto_field = "django.db.models.BigAutoField"
