from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "trappen.web.audit"
    label = "audit"
