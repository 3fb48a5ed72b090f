from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "trappen.web.api"
    label = "api"
