from django.contrib import admin

from releases.models import Artwork, Credit, IsrcRegistrant, Release, Split, Track


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
