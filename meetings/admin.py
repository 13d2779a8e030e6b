from django.contrib import admin

from .models import (
    AgendaItem,
    Attendance,
    CalendarFeed,
    Document,
    Guidance,
    Invitation,
    Meeting,
    MeetingChange,
    ScheduleRule,
    ThematicTopic,
)
from .signals import attendance_refusal


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["__str__", "cell", "kind", "starts_at", "status"]
    list_filter = ["kind", "status"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["cell", "chair", "minute_taker", "prepares", "topic", "created_by"]
    list_select_related = ["cell"]
    inlines = [AgendaItemInline]


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ["member", "meeting", "status", "category", "recorded_by", "recorded_at"]
    list_filter = ["status", "category"]
    raw_id_fields = ["meeting", "member", "recorded_by"]

    def has_change_permission(self, request, obj=None):
        return obj is None or attendance_refusal(obj.meeting) is None  # signed minutes report it: history

    has_delete_permission = has_change_permission


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["member", "meeting", "expected", "reply", "replied_at"]
    raw_id_fields = ["meeting", "member"]


@admin.register(MeetingChange)
class MeetingChangeAdmin(admin.ModelAdmin):
    list_display = ["meeting", "action", "by", "at"]
    raw_id_fields = ["meeting", "by"]

    def has_change_permission(self, request, obj=None):
        return False  # the history is not to be rewritten


admin.site.register([ScheduleRule, ThematicTopic, Document, Guidance, CalendarFeed])
