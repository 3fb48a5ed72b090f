from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "trappen.web.dashboards"
    label = "dashboards"
