from django.contrib import admin

from .models import Addendum, Minutes, MinutesRevision, MinutesSection, QualityPolicy, Vote


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


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ["subject", "minutes", "votes_for", "votes_against", "votes_other", "base", "passed"]
    raw_id_fields = ["minutes"]

    def has_change_permission(self, request, obj=None):
        return obj is None or not obj.minutes.is_locked  # a signed vote is history

    has_delete_permission = has_change_permission
