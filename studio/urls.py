"""Pages of studios: the directory, rooms and gear, the calendar and its feeds, a hold
confirmed or released from Today."""

from django.urls import path

from studio.views import calendar, holds, studios

urlpatterns = [
    path("today/holds/<int:pk>/<str:verb>/", holds.agenda_hold, name="agenda-hold"),
    path("studios/", studios.studio_list, name="studio-list"),
    path("studios/new/", studios.studio_create, name="studio-create"),
    path("studios/<int:pk>/", studios.studio_detail, name="studio-detail"),
    path("studios/<int:pk>/edit/", studios.studio_edit, name="studio-edit"),
    path("studios/<int:pk>/rooms/new/", studios.room_create, name="room-create"),
    path("studios/rooms/<int:pk>/edit/", studios.room_edit, name="room-edit"),
    path("studios/rooms/<int:pk>/delete/", studios.room_delete, name="room-delete"),
    path("studios/<int:pk>/gear/new/", studios.gear_create, name="gear-create"),
    path("studios/gear/<int:pk>/edit/", studios.gear_edit, name="gear-edit"),
    path("studios/gear/<int:pk>/delete/", studios.gear_delete, name="gear-delete"),
    path("feeds/<str:token>.ics", calendar.feed, name="feed"),
    path("calendar/", calendar.calendar_page, name="calendar"),
    path("calendar/events/", calendar.calendar_events, name="calendar-events"),
    path(
        "calendar/bookings/",
        calendar.calendar_booking_create,
        name="calendar-booking-create",
    ),
    path(
        "calendar/bookings/<int:pk>/move/",
        calendar.calendar_booking_move,
        name="calendar-booking-move",
    ),
    path(
        "calendar/bookings/<int:pk>/cancel/",
        calendar.calendar_booking_cancel,
        name="calendar-booking-cancel",
    ),
]
