from django.urls import path

from releases import views

urlpatterns = [
    path("releases/", views.release_list, name="release-list"),
    path("releases/<int:pk>/", views.release_detail, name="release-detail"),
    path("releases/<int:pk>/cover.jpg", views.release_cover, name="release-cover"),
]
