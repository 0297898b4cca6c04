from django.urls import path

from studio import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("projects/", views.project_list, name="project-list"),
    path("projects/new/", views.project_create, name="project-create"),
    path("projects/<int:pk>/", views.project_detail, name="project-detail"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project-edit"),
    path("people/", views.people_list, name="people-list"),
    path("account/token/", views.api_token, name="api-token"),
    path("account/token/new/", views.api_token_create, name="api-token-create"),
    path("account/token/revoke/", views.api_token_revoke, name="api-token-revoke"),
    path("feeds/<str:token>.ics", views.feed, name="feed"),
    path("calendar/", views.calendar_page, name="calendar"),
    path("calendar/events/", views.calendar_events, name="calendar-events"),
    path("calendar/bookings/", views.calendar_booking_create, name="calendar-booking-create"),
    path(
        "calendar/bookings/<int:pk>/move/",
        views.calendar_booking_move,
        name="calendar-booking-move",
    ),
    path(
        "calendar/bookings/<int:pk>/cancel/",
        views.calendar_booking_cancel,
        name="calendar-booking-cancel",
    ),
]
