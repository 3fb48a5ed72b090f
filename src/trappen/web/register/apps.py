from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "trappen.web.register"
    label = "register"
    verbose_name = "Register"
