from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sessions.models import (
    Engagement,
    GearCheck,
    PayeeDetails,
    Payment,
    PayStatement,
    RateRule,
    Session,
    Take,
)


@admin.register(RateRule)
class RateRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "currency", "project", "verified"]
    list_filter = ["kind", "verified"]
    search_fields = ["name", "source"]


class EngagementInline(admin.TabularInline):
    model = Engagement
    extra = 0
    autocomplete_fields = ["person"]
    readonly_fields = ["wages", "employer_contributions", "fee", "currency"]


class TakeInline(admin.TabularInline):
    model = Take
    extra = 0
    raw_id_fields = ["song", "part"]


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "room", "start", "end", "status"]
    list_filter = ["status"]
    list_select_related = ["project", "room__studio"]
    search_fields = ["title", "project__title"]
    date_hierarchy = "start"
    filter_horizontal = ["songs"]
    inlines = [EngagementInline, TakeInline]


@admin.register(Engagement)
class EngagementAdmin(admin.ModelAdmin):
    list_display = ["person", "role", "instrument", "session", "hours", "fee", "currency"]
    list_filter = ["role"]
    list_select_related = ["person", "session"]
    readonly_fields = ["wages", "employer_contributions", "fee", "fee_lines", "currency"]


@admin.register(Take)
class TakeAdmin(admin.ModelAdmin):
    list_display = ["song_name", "number", "session", "part", "rating", "keeper"]
    list_filter = ["keeper"]
    list_select_related = ["session", "part"]
    search_fields = ["song_name"]
    raw_id_fields = ["song"]


@admin.register(GearCheck)
class GearCheckAdmin(admin.ModelAdmin):
    list_display = ["gear", "session", "result", "checked_at"]
    list_filter = ["result"]


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ["person", "project", "amount", "currency", "status", "paid_on", "method"]
    list_filter = ["status", "method"]
    list_select_related = ["person", "project"]
    readonly_fields = ["engagement", "amount", "currency", "approved_at", "approved_by"]


@admin.register(PayeeDetails)
class PayeeDetailsAdmin(admin.ModelAdmin):
    list_display = ["person", "tax_status", "vat_number"]
    list_filter = ["tax_status"]


@admin.register(PayStatement)
class PayStatementAdmin(admin.ModelAdmin):
    """Shown, never written here: statements are numbered by the service, once, and kept."""

    list_display = ["number", "project", "engagement", "issued_on", "payer_name"]
    list_select_related = ["project", "engagement__person", "engagement__session"]
    search_fields = ["number", "payer_name", "engagement__person__name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
