from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "trappen.web.pages"
    label = "pages"
