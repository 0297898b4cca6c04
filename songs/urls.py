"""Pages of songs: the board, a song's page, the tracking sheet, versions with their notes,
and the listen links."""

from django.urls import path

from songs import views
from songs.views import versions

urlpatterns = [
    path("projects/<int:pk>/songs/", views.song_board, name="song-board"),
    path(
        "projects/<int:pk>/songs/<int:song_id>/move/",
        views.song_move,
        name="song-move",
    ),
    path("projects/<int:pk>/songs/stages/", views.song_stages, name="song-stages"),
    path("projects/<int:pk>/songs/<int:song_id>/", views.song_detail, name="song-detail"),
    path(
        "projects/<int:pk>/songs/<int:song_id>/delete/",
        views.song_delete,
        name="song-delete",
    ),
    path("projects/<int:pk>/songs/sheet/", views.song_sheet, name="song-sheet"),
    path(
        "projects/<int:pk>/songs/sheet/<int:song_id>/<int:part_id>/",
        views.song_sheet_cell,
        name="song-sheet-cell",
    ),
    path("projects/<int:pk>/songs/sheet/parts/", views.part_add, name="part-add"),
    path(
        "projects/<int:pk>/songs/sheet/parts/<int:part_id>/",
        views.part_edit,
        name="part-edit",
    ),
    path(
        "projects/<int:pk>/songs/<int:song_id>/versions/",
        versions.song_versions,
        name="song-versions",
    ),
    path(
        "projects/<int:pk>/songs/<int:song_id>/versions/upload/",
        versions.version_upload,
        name="song-version-upload",
    ),
    path(
        "projects/<int:pk>/songs/<int:song_id>/versions/<int:version_id>/notes/",
        versions.version_note_add,
        name="song-version-note-add",
    ),
    path(
        "projects/<int:pk>/songs/<int:song_id>/versions/<int:version_id>/notes/<int:note_id>/"
        "resolve/",
        versions.version_note_resolve,
        name="song-version-note-resolve",
    ),
    path(
        "projects/<int:pk>/songs/<int:song_id>/versions/<int:version_id>/approve/",
        versions.version_approve,
        name="song-version-approve",
    ),
    path(
        "projects/<int:pk>/songs/<int:song_id>/versions/<int:version_id>/analyse/",
        versions.version_analysis_retry,
        name="song-version-analyse",
    ),
    path(
        "projects/<int:pk>/songs/<int:song_id>/versions/<int:version_id>/preview.mp3",
        versions.version_preview,
        name="song-version-page-preview",
    ),
    path(
        "projects/<int:pk>/songs/<int:song_id>/versions/<int:version_id>/file/",
        versions.version_file,
        name="song-version-page-file",
    ),
    path(
        "projects/<int:pk>/songs/<int:song_id>/versions/<int:version_id>/links/",
        versions.listen_link_create,
        name="song-version-link-create",
    ),
    path(
        "projects/<int:pk>/songs/<int:song_id>/versions/<int:version_id>/links/<int:link_id>/"
        "revoke/",
        versions.listen_link_revoke,
        name="song-version-link-revoke",
    ),
    path("listen/<str:token>/", versions.listen, name="listen"),
    path("listen/<str:token>/preview.mp3", versions.listen_preview, name="listen-preview"),
    path("listen/<str:token>/download/", versions.listen_download, name="listen-download"),
    path("listen/<str:token>/notes/", versions.listen_note, name="listen-note"),
]
