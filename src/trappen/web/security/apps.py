from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "trappen.web.security"
    label = "security"
    default_auto_field = "django.db.models.BigAutoField"
