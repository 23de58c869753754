from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "anmian.web.records"
    label = "records"
    verbose_name = "Clinic records"
