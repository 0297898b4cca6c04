from django.urls import path

from studio import views, views_agenda, views_meetings, views_people, views_songs, views_studios

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("today/holds/<int:pk>/<str:verb>/", views_agenda.agenda_hold, name="agenda-hold"),
    path("projects/", views.project_list, name="project-list"),
    path("projects/new/", views.project_create, name="project-create"),
    path("projects/<int:pk>/", views.project_detail, name="project-detail"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project-edit"),
    path("projects/<int:pk>/songs/", views_songs.song_board, name="song-board"),
    path(
        "projects/<int:pk>/songs/<int:song_id>/move/",
        views_songs.song_move,
        name="song-move",
    ),
    path("projects/<int:pk>/meetings/", views_meetings.meeting_list, name="meeting-list"),
    path("projects/<int:pk>/meetings/new/", views_meetings.meeting_new, name="meeting-new"),
    path(
        "projects/<int:pk>/meetings/<int:meeting_id>/edit/",
        views_meetings.meeting_edit,
        name="meeting-edit",
    ),
    path(
        "projects/<int:pk>/meetings/<int:meeting_id>/cancel/",
        views_meetings.meeting_cancel_view,
        name="meeting-cancel",
    ),
    path("people/", views_people.people_list, name="people-list"),
    path("people/new/", views_people.contact_create, name="contact-create"),
    path(
        "people/<int:person_id>/cards/<int:project_id>/",
        views_people.contact_row,
        name="contact-row",
    ),
    path(
        "people/<int:person_id>/cards/<int:project_id>/edit/",
        views_people.contact_edit,
        name="contact-edit",
    ),
    path("studios/", views_studios.studio_list, name="studio-list"),
    path("studios/new/", views_studios.studio_create, name="studio-create"),
    path("studios/<int:pk>/", views_studios.studio_detail, name="studio-detail"),
    path("studios/<int:pk>/edit/", views_studios.studio_edit, name="studio-edit"),
    path("studios/<int:pk>/rooms/new/", views_studios.room_create, name="room-create"),
    path("studios/rooms/<int:pk>/edit/", views_studios.room_edit, name="room-edit"),
    path("studios/<int:pk>/gear/new/", views_studios.gear_create, name="gear-create"),
    path("studios/gear/<int:pk>/edit/", views_studios.gear_edit, name="gear-edit"),
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
