from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "trappen.web.journal"
    label = "journal"
    verbose_name = "Case journal and decisions"
    default_auto_field = "django.db.models.BigAutoField"
