from django.apps import AppConfig


class CollaborationConfig(AppConfig):
    name = "trappen.web.collaboration"
    label = "collaboration"
    default_auto_field = "django.db.models.BigAutoField"
