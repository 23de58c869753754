from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "anmian.web.accounts"
    label = "accounts"
