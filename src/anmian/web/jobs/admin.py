from django.contrib import admin

from anmian.web.jobs.models import FailedJob, OutboxEmail


@admin.register(FailedJob)
class FailedJobAdmin(admin.ModelAdmin):
    """Read-only: rows are written by the worker as jobs fail and retry."""

    list_display = ("task", "summary", "state", "attempts", "short_error", "last_failed_at")
    list_filter = ("task", ("succeeded_at", admin.EmptyFieldListFilter))
    search_fields = ("task", "task_id", "summary", "error")
    readonly_fields = [f.name for f in FailedJob._meta.fields] + ["state"]

    @admin.display(description="error")
    def short_error(self, job: FailedJob) -> str:
        return job.error.splitlines()[-1][:120] if job.error else ""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(OutboxEmail)
class OutboxEmailAdmin(admin.ModelAdmin):
    """Emails the queue could not take, waiting for the worker's next minute (mail.py): a list
    that stays long means the workers cannot reach the queue either."""

    list_display = ("subject", "error", "created")
    fields = ("subject", "error", "created")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
