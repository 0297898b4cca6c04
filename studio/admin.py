from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from core.admin import ServiceDeleteAdmin
from core.api import request_user
from studio import services
from studio.models import Booking, FeedToken, Gear, Room, Studio


class RoomInline(admin.TabularInline):
    model = Room
    extra = 0
    # A room is deleted from its own page, through room_delete and its rules.
    can_delete = False


@admin.register(Studio)
class StudioAdmin(ServiceDeleteAdmin):
    list_display = ["name", "time_zone", "currency"]
    search_fields = ["name"]
    filter_horizontal = ["managers", "projects"]
    inlines = [RoomInline]

    def delete_with_service(self, request: HttpRequest, obj: Any) -> None:
        services.studio_delete(studio=obj, by=request_user(request))


@admin.register(Room)
class RoomAdmin(ServiceDeleteAdmin):
    list_display = ["name", "studio", "hourly_rate", "half_day_rate", "day_rate", "is_active"]
    list_filter = ["studio", "is_active"]
    list_select_related = ["studio"]
    search_fields = ["name", "studio__name"]

    def delete_with_service(self, request: HttpRequest, obj: Any) -> None:
        services.room_delete(room=obj, by=request_user(request))


@admin.register(Gear)
class GearAdmin(ServiceDeleteAdmin):
    list_display = ["name", "category", "studio", "room", "status", "day_rate"]
    list_filter = ["category", "status", "studio"]
    list_select_related = ["studio", "room"]
    search_fields = ["name", "make", "model", "serial_number"]

    def delete_with_service(self, request: HttpRequest, obj: Any) -> None:
        services.gear_delete(gear=obj, by=request_user(request))


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ["__str__", "project", "status", "start", "end", "engineer", "quoted_amount"]
    list_filter = ["status", "room__studio", "room"]
    list_select_related = ["room__studio", "project", "engineer"]
    search_fields = ["title", "notes", "project__title"]
    date_hierarchy = "start"
    autocomplete_fields = ["project", "engineer"]
    filter_horizontal = ["gear"]
    readonly_fields = [
        "uid",
        "quoted_amount",
        "quote_lines",
        "confirmed_at",
        "cancelled_at",
        "ending",
        "cancellation_fee",
        "series",
        "sequence",
        "created_by",
    ]


@admin.register(FeedToken)
class FeedTokenAdmin(admin.ModelAdmin):
    list_display = ["__str__", "owner", "kind", "created_at", "revoked_at"]
    list_filter = ["kind"]
    list_select_related = ["owner", "person", "room__studio", "studio", "project"]
    readonly_fields = ["token"]
