from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "anmian.web.jobs"
    label = "jobs"
    verbose_name = "Background jobs"

    def ready(self) -> None:
        # The tasks and the failure records register with the queue when Django starts, in
        # the web process (to enqueue) and in the worker (to run).
        from anmian.web.jobs import failures, tasks  # noqa: F401
