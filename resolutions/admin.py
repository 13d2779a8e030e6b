from django.contrib import admin

from .models import Vote


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ["subject", "minutes", "votes_for", "votes_against", "votes_other", "base", "passed"]
    raw_id_fields = ["minutes"]

    def has_change_permission(self, request, obj=None):
        return obj is None or not obj.minutes.is_locked  # a signed vote is history

    has_delete_permission = has_change_permission
