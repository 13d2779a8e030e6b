from django.contrib import admin

from .models import DeferredTask


@admin.register(DeferredTask)
class DeferredTaskAdmin(admin.ModelAdmin):
    """Work waiting for the broker; rows with many attempts were refused by Celery and need an operator."""

    list_display = ["task", "args", "created_at", "attempts"]
    list_filter = ["task"]
    ordering = ["-attempts", "pk"]
    readonly_fields = ["task", "args", "created_at", "attempts"]

    def has_add_permission(self, request):
        return False
