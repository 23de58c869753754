from django.apps import AppConfig


class DiaryConfig(AppConfig):
    name = "anmian.web.diary"
    label = "diary"
    verbose_name = "Symptom and sleep diary"
