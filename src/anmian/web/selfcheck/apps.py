from django.apps import AppConfig


class SelfcheckConfig(AppConfig):
    name = "anmian.web.selfcheck"
    label = "selfcheck"
    verbose_name = "Self-assessment"
