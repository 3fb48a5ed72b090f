from django.apps import AppConfig


class GoalsConfig(AppConfig):
    name = "trappen.web.goals"
    label = "goals"
    default_auto_field = "django.db.models.BigAutoField"
