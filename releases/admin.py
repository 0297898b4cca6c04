from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from core.admin import ServiceDeleteAdmin, StoredFilesAdmin
from releases import services
from releases.models import (
    Artwork,
    Credit,
    Deliverable,
    IsrcPrefix,
    IsrcRegistrant,
    Master,
    Release,
    RenderJob,
    RenderTask,
    Split,
    Track,
)
from releases.services.masters import master_delete
from releases.services.metadata import artwork_delete, deliverable_delete


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
