from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "trappen.web.casework"
    label = "casework"
