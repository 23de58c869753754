from django.apps import AppConfig


class DiaryConfig(AppConfig):
    name = "anmian.web.diary"
    label = "diary"
    verbose_name = "Symptom and sleep diary"

    def ready(self) -> None:
        # The diary depends on records, never the reverse: records' patient list learns the
        # diary's progress signals through this hook.
        from anmian.web.diary.progress import signals_for
        from anmian.web.records.services import add_signal_source

        add_signal_source(signals_for)

        # The long reports' jobs register with the queue in the web process and the worker.
        from anmian.web.diary import tasks  # noqa: F401
