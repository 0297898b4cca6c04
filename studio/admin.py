from django.contrib import admin

from studio.models import Gear, Membership, Person, Project, Room, Studio


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["notified_at"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "instruments", "user"]
    search_fields = ["name", "email", "instruments"]
    autocomplete_fields = ["user", "projects"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "artist", "client", "status", "currency", "due_date"]
    list_filter = ["status", "currency"]
    search_fields = ["title", "artist", "client"]
    filter_horizontal = ["studios"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["project", "user", "role", "created_at", "notified_at"]
    list_filter = ["role"]
    list_select_related = ["project", "user"]
    search_fields = ["project__title", "user__username"]
    autocomplete_fields = ["project", "user"]


class RoomInline(admin.TabularInline):
    model = Room
    extra = 0


@admin.register(Studio)
class StudioAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone", "currency"]
    search_fields = ["name"]
    filter_horizontal = ["managers"]
    inlines = [RoomInline]


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["name", "studio", "hourly_rate", "half_day_rate", "day_rate", "is_active"]
    list_filter = ["studio", "is_active"]
    list_select_related = ["studio"]
    search_fields = ["name", "studio__name"]


@admin.register(Gear)
class GearAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "studio", "room", "status", "day_rate"]
    list_filter = ["category", "status", "studio"]
    list_select_related = ["studio", "room"]
    search_fields = ["name", "make", "model", "serial_number"]
