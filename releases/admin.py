from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from releases.models import (
    Artwork,
    Credit,
    Deliverable,
    IsrcRegistrant,
    Master,
    Release,
    RenderJob,
    RenderTask,
    Split,
    Track,
)


class TrackInline(admin.TabularInline):
    model = Track
    extra = 0


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin):
    list_display = ["title", "display_artist", "type", "upc", "release_date"]
    list_filter = ["type"]
    search_fields = ["title", "display_artist", "upc", "catalog_number"]
    inlines = [TrackInline]


@admin.register(Track)
class TrackAdmin(admin.ModelAdmin):
    list_display = ["title", "release", "disc", "position", "isrc", "explicit"]
    list_select_related = ["release"]
    search_fields = ["title", "isrc"]


@admin.register(Credit)
class CreditAdmin(admin.ModelAdmin):
    list_display = ["person", "role", "release", "track"]
    list_filter = ["role"]
    list_select_related = ["person", "release", "track"]


@admin.register(Split)
class SplitAdmin(admin.ModelAdmin):
    list_display = ["party", "kind", "share", "track"]
    list_filter = ["kind"]


@admin.register(IsrcRegistrant)
class IsrcRegistrantAdmin(admin.ModelAdmin):
    list_display = ["__str__", "last_number"]


@admin.register(Artwork)
class ArtworkAdmin(admin.ModelAdmin):
    list_display = ["release", "format", "width", "height", "uploaded_at"]
    readonly_fields = ["format", "width", "height", "warnings"]


@admin.register(Master)
class MasterAdmin(admin.ModelAdmin):
    """Masters change only by upload (their content is checked there)."""

    list_display = ["track", "format", "sample_rate", "bit_depth", "channels", "integrated_lufs"]
    list_select_related = ["track"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


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
class DeliverableAdmin(admin.ModelAdmin):
    """Deliverables are made by render jobs only: read-only here."""

    list_display = ["track", "target", "size", "sha256", "rendered_at"]
    list_filter = ["target"]
    list_select_related = ["track"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
