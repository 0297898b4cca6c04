"""Pages of releases: metadata, tracks, credits and splits, the cover, masters."""

from django.urls import path

from releases import views

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
]
