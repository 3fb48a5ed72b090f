from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "trappen.web.audit"
    label = "audit"

    def ready(self) -> None:
        from trappen.web.audit.signals import connect

        connect()
