from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import CellMembership, Grant, Member, OrgUnit, StatusChange, User


@admin.register(User)
class ChiboUserAdmin(UserAdmin):
    list_display = ["username", "email", "first_name", "is_staff", "is_active"]


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "code", "place_name", "depth"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    raw_id_fields = ["parent"]
    readonly_fields = ["path", "depth"]


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    readonly_fields = ["recorded_by", "recorded_at"]


class CellMembershipInline(admin.TabularInline):
    model = CellMembership
    extra = 0
    readonly_fields = ["recorded_by", "recorded_at"]


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["full_name", "cell", "position", "status", "admitted_on", "official_on"]
    list_filter = ["status", "position", "gender"]
    search_fields = ["full_name", "search_name", "card_number", "email"]
    raw_id_fields = ["cell", "user"]
    list_select_related = ["cell"]
    inlines = [StatusChangeInline, CellMembershipInline]


@admin.register(Grant)
class GrantAdmin(admin.ModelAdmin):
    list_display = ["user", "unit", "role"]
    list_filter = ["role"]
    raw_id_fields = ["user", "unit"]
