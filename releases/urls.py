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
    path(
        "releases/<int:pk>/credits/<int:credit_pk>/remove/",
        views.credit_remove,
        name="release-credit-remove",
    ),
]
