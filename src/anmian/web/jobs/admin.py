from django.contrib import admin

from anmian.web.jobs.models import FailedJob


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
