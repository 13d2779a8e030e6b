from django.contrib import admin

from .models import Vote


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ["subject", "minutes", "votes_for", "votes_against", "votes_other", "base", "passed"]
    raw_id_fields = ["minutes"]
