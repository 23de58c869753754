from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "anmian.web.core"
    label = "core"
    verbose_name = "Anmian"
