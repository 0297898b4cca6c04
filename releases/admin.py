from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import FileResponse, Http404, HttpRequest
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from releases import services
from releases.models import (
    Artwork,
    Credit,
    Deliverable,
    IsrcPrefix,
    IsrcRegistrant,
    ListenLink,
    ListenPlay,
    Master,
    Release,
    RenderJob,
    RenderTask,
    SongVersion,
    Split,
    Track,
    VersionNote,
)
from releases.services.masters import master_delete
from releases.services.metadata import artwork_delete, deliverable_delete
from studio.admin_base import ServiceDeleteAdmin
from studio.errors import Conflict


class StoredFilesAdmin(admin.ModelAdmin):
    """Media are private: a kept file is shown as a link to this admin's own view of it (which
    asks the admin's view permission), never as its /media/ URL, which answers 404. Files change
    only through the services that check them, so they are not form fields here."""

    file_fields: tuple[str, ...] = ()

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [*(super().get_exclude(request, obj) or []), *self.file_fields]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [*super().get_readonly_fields(request, obj), "files"]

    def get_urls(self) -> list[URLPattern]:
        name = f"{self.opts.app_label}_{self.opts.model_name}_file"
        view = self.admin_site.admin_view(self.file_view)
        return [path("<path:object_id>/file/<str:field>/", view, name=name), *super().get_urls()]

    def file_view(self, request: HttpRequest, object_id: str, field: str) -> FileResponse:
        obj = self.get_object(request, object_id)
        if obj is None or field not in self.file_fields:
            raise Http404("No such file.")
        if not self.has_view_permission(request, obj):
            raise PermissionDenied
        stored = getattr(obj, field)
        if not stored:
            raise Http404("No such file.")
        return FileResponse(
            stored.open("rb"), as_attachment=True, filename=stored.name.rsplit("/", 1)[-1]
        )

    @admin.display(description="Files")
    def files(self, obj: Model) -> str:
        name = f"admin:{self.opts.app_label}_{self.opts.model_name}_file"
        links = [
            (reverse(name, args=[obj.pk, field]), getattr(obj, field).name.rsplit("/", 1)[-1])
            for field in self.file_fields
            if obj.pk and getattr(obj, field)
        ]
        return format_html_join(mark_safe("<br>"), '<a href="{}">{}</a>', links) or "—"


class TrackInline(admin.TabularInline):
    model = Track
    extra = 0
    # A track is deleted from its own page, through track_delete, which removes its master's
    # and deliverables' files after the commit; a bare delete would leave them on disk.
    can_delete = False


@admin.register(Release)
class ReleaseAdmin(ServiceDeleteAdmin):
    list_display = ["title", "display_artist", "type", "upc", "release_date"]
    list_filter = ["type"]
    search_fields = ["title", "display_artist", "upc", "catalog_number"]
    inlines = [TrackInline]

    def delete_with_service(self, request: HttpRequest, obj: Any) -> None:
        services.release_delete(release=obj)


@admin.register(Track)
class TrackAdmin(ServiceDeleteAdmin):
    list_display = ["title", "release", "disc", "position", "isrc", "explicit"]
    list_select_related = ["release"]
    raw_id_fields = ["song"]
    search_fields = ["title", "isrc"]

    def delete_with_service(self, request: HttpRequest, obj: Any) -> None:
        services.track_delete(track=obj)


@admin.register(Credit)
class CreditAdmin(ServiceDeleteAdmin):
    list_display = ["person", "role", "release", "track"]
    list_filter = ["role"]
    list_select_related = ["person", "release", "track"]

    def delete_with_service(self, request: HttpRequest, obj: Any) -> None:
        services.credit_delete(credit=obj)


@admin.register(Split)
class SplitAdmin(admin.ModelAdmin):
    list_display = ["party", "kind", "share", "track"]
    list_filter = ["kind"]


@admin.register(IsrcRegistrant)
class IsrcRegistrantAdmin(admin.ModelAdmin):
    list_display = ["__str__", "last_number"]


@admin.register(IsrcPrefix)
class IsrcPrefixAdmin(admin.ModelAdmin):
    """Where a studio's prefix is kept (a label's is kept from its release page too)."""

    list_display = ["name", "code", "studio", "label", "kept_by"]
    list_select_related = ["studio", "kept_by"]
    raw_id_fields = ["kept_by"]
    search_fields = ["name", "label", "registrant"]


@admin.register(Artwork)
class ArtworkAdmin(StoredFilesAdmin, ServiceDeleteAdmin):
    """Covers change only by upload (their content is checked there); deleted through
    artwork_delete, which removes the image and thumbnail after the commit."""

    list_display = ["release", "format", "width", "height", "uploaded_at"]
    file_fields = ("image", "thumbnail")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def delete_with_service(self, request: HttpRequest, obj: Any) -> None:
        artwork_delete(artwork=obj)


@admin.register(Master)
class MasterAdmin(StoredFilesAdmin, ServiceDeleteAdmin):
    """Masters change only by upload (their content is checked there); deleted through
    master_delete, which removes the file after the commit."""

    list_display = ["track", "format", "sample_rate", "bit_depth", "channels", "integrated_lufs"]
    list_select_related = ["track"]
    file_fields = ("file",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def delete_with_service(self, request: HttpRequest, obj: Any) -> None:
        master_delete(master=obj)


class RenderTaskInline(admin.TabularInline):
    model = RenderTask
    extra = 0
    can_delete = False
    readonly_fields = ["track", "status", "message", "attempts", "finished_at"]


@admin.register(RenderJob)
class RenderJobAdmin(admin.ModelAdmin):
    list_display = ["release", "status", "total", "created_at", "finished_at"]
    list_filter = ["status"]
    list_select_related = ["release"]
    inlines = [RenderTaskInline]
    readonly_fields = ["release", "targets", "status", "total", "log", "created_by"]


@admin.register(RenderTask)
class RenderTaskAdmin(admin.ModelAdmin):
    list_display = ["track", "job", "status", "attempts"]
    list_filter = ["status"]
    list_select_related = ["track", "job"]


@admin.register(Deliverable)
class DeliverableAdmin(StoredFilesAdmin, ServiceDeleteAdmin):
    """Deliverables are made by render jobs only: read-only here; deleted through
    deliverable_delete, which removes the file after the commit."""

    list_display = ["track", "target", "size", "sha256", "rendered_at"]
    list_filter = ["target"]
    list_select_related = ["track"]
    file_fields = ("file",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def delete_with_service(self, request: HttpRequest, obj: Any) -> None:
        deliverable_delete(deliverable=obj)


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
