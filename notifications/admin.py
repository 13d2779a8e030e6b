from django.contrib import admin

from .models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["member", "meeting", "kind", "key", "status", "attempts", "sent_at"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["meeting", "task", "member"]
