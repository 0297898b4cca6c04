from collections.abc import Sequence
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest

from studio import services
from studio.admin_base import ServiceDeleteAdmin
from studio.api_base import request_user
from studio.errors import Conflict
from studio.models import (
    Booking,
    FeedToken,
    Gear,
    Meeting,
    Membership,
    Notice,
    NoticePreference,
    Part,
    Person,
    PersonCard,
    Project,
    Room,
    Song,
    SongPart,
    SongStageChange,
    Studio,
)
from studio.services.projects import project_delete


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["notified_at"]


class PersonCardInline(admin.TabularInline):
    model = PersonCard
    extra = 0
    autocomplete_fields = ["project"]


@admin.register(Person)
class PersonAdmin(ServiceDeleteAdmin):
    list_display = ["name", "user", "created_at"]
    search_fields = ["name", "user__username"]
    autocomplete_fields = ["user"]
    inlines = [PersonCardInline]

    def delete_with_service(self, request: HttpRequest, obj: Any) -> None:
        services.person_delete(person=obj, by=request_user(request))


@admin.register(PersonCard)
class PersonCardAdmin(ServiceDeleteAdmin):
    """Deleting a card deletes its person, as the API's DELETE of a contact does (a contact
    stays on at least one project; leaving one project is the person's page's edit)."""

    list_display = ["person", "project", "email", "phone", "instruments"]
    list_select_related = ["person", "project"]
    search_fields = ["person__name", "project__title", "email", "instruments"]
    autocomplete_fields = ["person", "project"]

    def get_deleted_objects(
        self, objs: Sequence[PersonCard] | QuerySet[PersonCard], request: HttpRequest
    ) -> tuple[list[str], dict[str, int], set[str], list[str]]:
        # The confirmation lists what goes: the person with every card of theirs.
        people = list(Person.objects.filter(cards__in=objs).distinct())
        return super().get_deleted_objects(people, request)

    def delete_with_service(self, request: HttpRequest, obj: Any) -> None:
        # A second card of a person deleted with the first in one bulk delete is gone already.
        person = Person.objects.filter(cards=obj).first()
        if person is not None:
            services.person_delete(person=person, by=request_user(request))


@admin.register(Project)
class ProjectAdmin(ServiceDeleteAdmin):
    list_display = ["title", "artist", "client", "status", "currency", "due_date"]
    list_filter = ["status", "currency"]
    search_fields = ["title", "artist", "client"]
    filter_horizontal = ["studios"]
    inlines = [MembershipInline]

    def delete_with_service(self, request: HttpRequest, obj: Any) -> None:
        try:
            project_delete(project=obj, by=request_user(request))
        except PermissionDenied as refusal:
            # A message on the project's page, as the other refusals (not the admin's 403).
            raise Conflict(str(refusal), code="permission_denied") from refusal


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
    # A room is deleted from its own page, through room_delete and its rules.
    can_delete = False


@admin.register(Studio)
class StudioAdmin(ServiceDeleteAdmin):
    list_display = ["name", "time_zone", "currency"]
    search_fields = ["name"]
    filter_horizontal = ["managers"]
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


class SongStageChangeInline(admin.TabularInline):
    model = SongStageChange
    extra = 0
    can_delete = False
    readonly_fields = ["by", "at", "from_stage", "to_stage"]

    def has_add_permission(self, request, obj=None):
        # Moves are recorded by song_move, never typed in.
        return False


@admin.register(Song)
class SongAdmin(ServiceDeleteAdmin):
    list_display = ["title", "project", "stage", "due_date", "holder"]
    list_filter = ["stage"]
    list_select_related = ["project", "holder"]
    search_fields = ["title", "working_title", "project__title"]
    filter_horizontal = ["writers"]
    # The stage changes through song_move (recorded); here it is shown, not edited.
    readonly_fields = ["stage"]
    inlines = [SongStageChangeInline]

    def delete_with_service(self, request: HttpRequest, obj: Any) -> None:
        services.song_delete(song=obj)


@admin.register(SongStageChange)
class SongStageChangeAdmin(admin.ModelAdmin):
    list_display = ["song", "from_stage", "to_stage", "by", "at"]
    list_filter = ["to_stage"]
    list_select_related = ["song", "by"]
    readonly_fields = ["song", "by", "at", "from_stage", "to_stage"]

    def has_add_permission(self, request, obj=None):
        # A move is recorded by song_move, never typed in.
        return False


@admin.register(Part)
class PartAdmin(ServiceDeleteAdmin):
    list_display = ["name", "project", "position"]
    list_select_related = ["project"]
    search_fields = ["name", "project__title"]
    autocomplete_fields = ["project"]

    def delete_with_service(self, request: HttpRequest, obj: Any) -> None:
        # The admin's confirmation page lists the song parts (the sheet's cells) that go with
        # the part, as the sheet's "remove" asks before it passes confirmed=True too.
        services.part_delete(part=obj, confirmed=True)


@admin.register(SongPart)
class SongPartAdmin(admin.ModelAdmin):
    list_display = ["song", "part", "status", "updated_by", "updated_at"]
    list_filter = ["status"]
    list_select_related = ["song", "part", "updated_by"]
    search_fields = ["song__title", "part__name"]
    # Song and part must be of one project: the services check it, so rows are set there.
    readonly_fields = ["song", "part", "updated_by", "updated_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "kind", "start", "time_zone", "cancelled_at"]
    list_filter = ["kind"]
    list_select_related = ["project"]
    search_fields = ["title", "place", "project__title"]
    filter_horizontal = ["people"]
    # Calendars follow uid and sequence; meeting_update and meeting_cancel keep them honest.
    readonly_fields = ["uid", "sequence", "cancelled_at", "created_by", "created_at", "updated_at"]


@admin.register(NoticePreference)
class NoticePreferenceAdmin(admin.ModelAdmin):
    list_display = ["person", "kind", "enabled"]
    list_filter = ["kind", "enabled"]
    list_select_related = ["person"]
    search_fields = ["person__name"]
    autocomplete_fields = ["person"]


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["kind", "to_email", "subject", "attempts", "created_at", "sent_at"]
    list_filter = ["kind", ("sent_at", admin.EmptyFieldListFilter)]
    list_select_related = ["person"]
    search_fields = ["key", "to_email", "subject"]
    # A notice is the record of a mail told once (studio.notices): written by notice_tell,
    # closed by notice_send; typing one in would bypass both.
    readonly_fields = [
        "key",
        "kind",
        "person",
        "to_email",
        "subject",
        "attempts",
        "created_at",
        "sent_at",
    ]

    def has_add_permission(self, request, obj=None):
        return False
