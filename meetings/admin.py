from django.contrib import admin

from .models import (
    Addendum,
    AgendaItem,
    Attendance,
    CalendarFeed,
    Document,
    Guidance,
    Invitation,
    Meeting,
    MeetingChange,
    Minutes,
    MinutesRevision,
    MinutesSection,
    QualityPolicy,
    ScheduleRule,
    ThematicTopic,
)


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
        return obj is None or not Minutes.objects.filter(meeting=obj.meeting_id, status=Minutes.Status.LOCKED).exists()

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


class MinutesSectionInline(admin.StackedInline):
    model = MinutesSection
    extra = 0


@admin.register(Minutes)
class MinutesAdmin(admin.ModelAdmin):
    list_display = ["meeting", "status", "quality_total", "quality_grade", "pdf_status", "updated_at"]
    list_filter = ["status", "pdf_status"]
    raw_id_fields = ["meeting", "chair", "minute_taker", "signed_by", "updated_by"]
    readonly_fields = ["version", "pdf_sha256", "pdf_source", "frozen"]
    inlines = [MinutesSectionInline]

    # Locked minutes are not changed or deleted, not even here: corrections are addenda.
    def has_change_permission(self, request, obj=None):
        return obj is None or not obj.is_locked

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.is_locked


class HistoryAdmin(admin.ModelAdmin):
    """Signed records and their history are read, never rewritten."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MinutesRevision)
class MinutesRevisionAdmin(HistoryAdmin):
    list_display = ["minutes", "version", "action", "by", "at"]


@admin.register(Addendum)
class AddendumAdmin(HistoryAdmin):
    list_display = ["minutes", "signed_by", "signed_at"]


@admin.register(QualityPolicy)
class QualityPolicyAdmin(admin.ModelAdmin):
    list_display = ["unit"]
    raw_id_fields = ["unit"]
