from django.contrib import admin

from .models import DuesCorrection, DuesEntry, DuesExemption, DuesPayment, DuesProfile, DuesRate, DuesReport


@admin.register(DuesRate)
class DuesRateAdmin(admin.ModelAdmin):
    list_display = ["unit", "category", "percent", "amount", "valid_from"]
    list_filter = ["category"]
    raw_id_fields = ["unit", "recorded_by"]


@admin.register(DuesReport)
class DuesReportAdmin(admin.ModelAdmin):
    list_display = ["cell", "month", "collected", "status"]
    list_filter = ["status"]
    raw_id_fields = ["cell", "sent_by", "received_by"]


# The book's amounts change only through the app's services, which keep their history: read-only here.
@admin.register(DuesEntry, DuesPayment, DuesCorrection, DuesProfile, DuesExemption)
class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
