from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "trappen.web.accounts"
    label = "accounts"
