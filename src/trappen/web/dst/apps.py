from django.apps import AppConfig


class DstConfig(AppConfig):
    name = "trappen.web.dst"
    label = "dst"
    verbose_name = "Danmarks Statistik"
    default_auto_field = "django.db.models.BigAutoField"
