from django.contrib import admin

from .models import Resolution, ResolutionCounter, Task, TaskUpdate


class TaskInline(admin.TabularInline):
    model = Task
    extra = 0
    raw_id_fields = ["responsible"]


@admin.register(Resolution)
class ResolutionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "cell", "status", "year", "number", "issued_on"]
    list_filter = ["status", "kind"]
    raw_id_fields = ["cell", "meeting", "vote", "issued_by", "created_by"]
    readonly_fields = ["year", "number", "status"]  # numbers and status come from issuing and reviews only

    def has_delete_permission(self, request, obj=None):
        return obj is None or obj.status == Resolution.Status.DRAFT  # an issued number is never freed

    inlines = [TaskInline]


@admin.register(TaskUpdate)
class TaskUpdateAdmin(admin.ModelAdmin):
    list_display = ["task", "status", "percent", "by", "at"]
    raw_id_fields = ["task", "by"]


admin.site.register(ResolutionCounter)
