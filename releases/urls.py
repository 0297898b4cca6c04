from django.urls import path

from releases import views, views_versions

urlpatterns = [
    path("releases/", views.release_list, name="release-list"),
    path("releases/<int:pk>/", views.release_detail, name="release-detail"),
    path("releases/<int:pk>/cover.jpg", views.release_cover, name="release-cover"),
    path(
        "releases/<int:pk>/tracks/<int:track_pk>/master/",
        views.track_master,
        name="release-track-master",
    ),
    path(
        "releases/<int:pk>/tracks/<int:track_pk>/splits/",
        views.track_splits,
        name="release-track-splits",
    ),
    path("releases/<int:pk>/credits/", views.credit_add, name="release-credit-add"),
    path("releases/<int:pk>/edit/", views.release_edit, name="release-edit"),
    path("releases/<int:pk>/cover/", views.cover_upload, name="release-cover-upload"),
    path("releases/<int:pk>/isrc-prefix/", views.isrc_prefix, name="release-isrc-prefix"),
    path("releases/<int:pk>/tracks/", views.track_add, name="release-track-add"),
    path(
        "releases/<int:pk>/tracks/<int:track_pk>/edit/",
        views.track_edit,
        name="release-track-edit",
    ),
    path(
        "releases/<int:pk>/tracks/<int:track_pk>/isrc/",
        views.track_isrc,
        name="release-track-isrc",
    ),
    path(
        "releases/<int:pk>/tracks/<int:track_pk>/remove/",
        views.track_remove,
        name="release-track-remove",
    ),
    path(
        "releases/<int:pk>/credits/<int:credit_pk>/remove/",
        views.credit_remove,
        name="release-credit-remove",
    ),
    path(
        "projects/<int:pk>/songs/<int:song_id>/versions/",
        views_versions.song_versions,
        name="song-versions",
    ),
    path(
        "projects/<int:pk>/songs/<int:song_id>/versions/upload/",
        views_versions.version_upload,
        name="song-version-upload",
    ),
    path(
        "projects/<int:pk>/songs/<int:song_id>/versions/<int:version_id>/notes/",
        views_versions.version_note_add,
        name="song-version-note-add",
    ),
    path(
        "projects/<int:pk>/songs/<int:song_id>/versions/<int:version_id>/notes/<int:note_id>/"
        "resolve/",
        views_versions.version_note_resolve,
        name="song-version-note-resolve",
    ),
    path(
        "projects/<int:pk>/songs/<int:song_id>/versions/<int:version_id>/approve/",
        views_versions.version_approve,
        name="song-version-approve",
    ),
    path(
        "projects/<int:pk>/songs/<int:song_id>/versions/<int:version_id>/preview.mp3",
        views_versions.version_preview,
        name="song-version-page-preview",
    ),
    path(
        "projects/<int:pk>/songs/<int:song_id>/versions/<int:version_id>/file/",
        views_versions.version_file,
        name="song-version-page-file",
    ),
    path(
        "projects/<int:pk>/songs/<int:song_id>/versions/<int:version_id>/links/",
        views_versions.listen_link_create,
        name="song-version-link-create",
    ),
    path(
        "projects/<int:pk>/songs/<int:song_id>/versions/<int:version_id>/links/<int:link_id>/"
        "revoke/",
        views_versions.listen_link_revoke,
        name="song-version-link-revoke",
    ),
    path("listen/<str:token>/", views_versions.listen, name="listen"),
    path("listen/<str:token>/preview.mp3", views_versions.listen_preview, name="listen-preview"),
    path("listen/<str:token>/download/", views_versions.listen_download, name="listen-download"),
    path("listen/<str:token>/notes/", views_versions.listen_note, name="listen-note"),
]
