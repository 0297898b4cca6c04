from collections.abc import Sequence
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import capfirst

from core.admin import ServiceDeleteAdmin, ServiceSaveAdmin
from sessions import services
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
class RateRuleAdmin(ServiceDeleteAdmin):
    list_display = ["name", "kind", "currency", "project", "verified"]
    list_filter = ["kind", "verified"]
    search_fields = ["name", "source"]

    def delete_with_service(self, request: HttpRequest, obj: Any) -> None:
        services.rate_rule_delete(rule=obj)


class EngagementInline(admin.TabularInline):
    """Shown, not written: an engagement is added, changed and deleted on its own page, where
    engagement_save prices it and keeps its payment in step (engagement_delete: a pending
    payment goes with it, one approved or paid keeps it)."""

    model = Engagement
    extra = 0
    fields = ["person", "role", "instrument", "hours", "rate_rule", "fee", "currency"]
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TakeInline(admin.TabularInline):
    model = Take
    extra = 0
    raw_id_fields = ["song", "part"]
    # A take is deleted from its own page, through take_delete.
    can_delete = False


@admin.register(Session)
class SessionAdmin(ServiceDeleteAdmin):
    list_display = ["title", "project", "room", "start", "end", "status"]
    list_filter = ["status"]
    list_select_related = ["project", "room__studio"]
    search_fields = ["title", "project__title"]
    date_hierarchy = "start"
    filter_horizontal = ["songs"]
    inlines = [EngagementInline, TakeInline]

    def delete_with_service(self, request: HttpRequest, obj: Any) -> None:
        services.session_delete(session=obj)


@admin.register(Engagement)
class EngagementAdmin(ServiceSaveAdmin):
    """Saved through engagement_save: priced by its rate rule, its pending payment kept in
    step; one whose payment is approved or paid no longer changes."""

    list_display = ["person", "role", "instrument", "session", "hours", "fee", "currency"]
    list_filter = ["role"]
    list_select_related = ["person", "session"]
    readonly_fields = ["wages", "employer_contributions", "fee", "fee_lines", "currency"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # engagement_save keeps an engagement on its session: a player moves by a new one.
        fields = super().get_readonly_fields(request, obj)
        return [*fields, "session"] if obj is not None else list(fields)

    def save_with_service(
        self, request: HttpRequest, obj: Any, form: Any, change: bool
    ) -> Engagement:
        data = form.cleaned_data
        return services.engagement_save(
            session=obj.session,
            person=data["person"],
            rate_rule=data["rate_rule"],
            role=data["role"],
            hours=data["hours"],
            instrument=data["instrument"],
            doubles=data["doubles"] or [],
            cartage=data["cartage"] or [],
            engagement=obj if change else None,
        )

    def get_deleted_objects(
        self, objs: Sequence[Engagement] | QuerySet[Engagement], request: HttpRequest
    ) -> tuple[list[str], dict[str, int], set[str], list[str]]:
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        # Every engagement has a payment, and the payment's PROTECT would stop the page before
        # the service is asked. engagement_delete judges it: a pending payment goes with the
        # engagement (listed here as going), an approved or paid one refuses with its reason.
        opts = Payment._meta
        pending: list[str] = []
        for payment in Payment.objects.filter(engagement__in=objs).order_by("pk"):
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[payment.pk])
            protected = [line for line in protected if f'href="{url}"' not in line]
            if payment.status == Payment.Status.PENDING:
                label = capfirst(opts.verbose_name)
                pending.append(format_html('{}: <a href="{}">{}</a>', label, url, payment))
        if pending:
            counts[str(opts.verbose_name_plural)] = len(pending)
        return [*deleted, *pending], counts, perms_needed, protected

    def delete_with_service(self, request: HttpRequest, obj: Any) -> None:
        services.engagement_delete(engagement=obj)


@admin.register(Take)
class TakeAdmin(ServiceDeleteAdmin):
    list_display = ["song_name", "number", "session", "part", "rating", "keeper"]
    list_filter = ["keeper"]
    list_select_related = ["session", "part"]
    search_fields = ["song_name"]
    raw_id_fields = ["song"]

    def delete_with_service(self, request: HttpRequest, obj: Any) -> None:
        services.take_delete(take=obj)


@admin.register(GearCheck)
class GearCheckAdmin(ServiceDeleteAdmin):
    list_display = ["gear", "session", "result", "checked_at"]
    list_filter = ["result"]

    def delete_with_service(self, request: HttpRequest, obj: Any) -> None:
        services.gear_check_delete(check=obj)


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ["person", "project", "amount", "currency", "status", "paid_on", "method"]
    list_filter = ["status", "method"]
    list_select_related = ["person", "project"]
    readonly_fields = ["engagement", "amount", "currency", "approved_at", "approved_by"]


@admin.register(PayeeDetails)
class PayeeDetailsAdmin(ServiceDeleteAdmin):
    list_display = ["person", "tax_status", "vat_number"]
    list_filter = ["tax_status"]

    def delete_with_service(self, request: HttpRequest, obj: Any) -> None:
        services.payee_details_delete(details=obj)


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
