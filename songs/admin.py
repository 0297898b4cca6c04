"""The admin of songs: songs with their stage history, parts and the tracking sheet's cells,
versions (files shown through the admin, never as /media/ URLs), notes and listen links.
Deletes go through the services."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from core.admin import ServiceDeleteAdmin, StoredFilesAdmin
from core.errors import Conflict
from songs import services as song_services
from songs.models import (
    ListenLink,
    ListenPlay,
    Part,
    Song,
    SongPart,
    SongStageChange,
    SongVersion,
    VersionNote,
)


@admin.register(SongVersion)
class SongVersionAdmin(StoredFilesAdmin, ServiceDeleteAdmin):
    """Versions are made by upload only (content checked, numbered under a lock): read-only.
    Never deleted alone either: a song's versions are numbered without gaps and an approved
    one stays what was approved (SongVersion's invariants). They go with their song, whose
    delete removes their files (releases' leaving watcher); so the delete permission stays,
    or the song's and the project's confirmation pages would refuse for lack of it."""

    list_display = ["song", "label", "status", "integrated_lufs", "uploaded_at", "approved_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["song"]
    search_fields = ["song__title", "original_name"]
    file_fields = ("file", "preview")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_with_service(self, request: HttpRequest, obj: Any) -> None:
        raise Conflict(
            f"{obj.label} stays: a song's versions are numbered without gaps and an approved "
            "one is kept as approved. Versions go with their song.",
            code="version_kept",
        )


@admin.register(VersionNote)
class VersionNoteAdmin(admin.ModelAdmin):
    list_display = ["version", "at_label", "body", "author", "guest_name", "resolved_at"]
    list_select_related = ["version__song", "author"]
    raw_id_fields = ["version", "author", "link", "resolved_by", "resolved_in"]
    search_fields = ["body", "guest_name"]


class ListenPlayInline(admin.TabularInline):
    model = ListenPlay
    extra = 0
    can_delete = False
    readonly_fields = ["at", "user_agent"]


@admin.register(ListenLink)
class ListenLinkAdmin(admin.ModelAdmin):
    """The token and the password's hash are never shown or typed here."""

    list_display = ["label", "version", "expires_at", "revoked_at", "allow_download"]
    list_select_related = ["version__song"]
    raw_id_fields = ["version", "created_by"]
    inlines = [ListenPlayInline]


@admin.register(ListenPlay)
class ListenPlayAdmin(admin.ModelAdmin):
    list_display = ["link", "at", "user_agent"]
    list_select_related = ["link"]


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
        song_services.song_delete(song=obj)


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
        song_services.part_delete(part=obj, confirmed=True)


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
