from django.contrib import admin

from .models import Resolution, ResolutionCounter, Task, TaskUpdate, Vote


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ["subject", "minutes", "votes_for", "votes_against", "votes_other", "base", "passed"]
    raw_id_fields = ["minutes"]

    def has_change_permission(self, request, obj=None):
        return obj is None or not obj.minutes.is_locked  # a signed vote is history

    has_delete_permission = has_change_permission


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
