from django.apps import AppConfig


class NationalConfig(AppConfig):
    name = "trappen.web.national"
    label = "national_view"
    verbose_name = "National view"
    default_auto_field = "django.db.models.BigAutoField"
