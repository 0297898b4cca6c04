from django.urls import path

from sessions.views import call_sheets
from sessions.views import sessions as views

urlpatterns = [
    path("sessions/<int:pk>/", views.session_detail, name="session-detail"),
    path("sessions/<int:pk>/players/", views.engagement_add, name="engagement-add"),
    path("sessions/<int:pk>/players/quote/", views.engagement_quote, name="engagement-quote"),
    path("sessions/<int:pk>/status/", views.session_status, name="session-status"),
    path("sessions/<int:pk>/takes/", views.take_add, name="take-add"),
    path("sessions/<int:pk>/songs/", views.session_songs, name="session-songs"),
    path("sessions/<int:pk>/gear/", views.gear_check, name="gear-check"),
    path("sessions/<int:pk>/call-sheet/", call_sheets.call_sheet_page, name="call-sheet"),
    path("sessions/players/<int:pk>/", views.engagement_edit, name="engagement-edit"),
    path("sessions/players/<int:pk>/remove/", views.engagement_remove, name="engagement-remove"),
    path("sessions/payments/<int:pk>/approve/", views.payment_approve, name="payment-approve"),
    path("sessions/payments/<int:pk>/pay/", views.payment_pay, name="payment-pay"),
    path("bookings/<int:pk>/session/", views.booking_session, name="booking-session"),
    path("projects/<int:pk>/pay/", views.project_pay, name="project-pay"),
    path("projects/<int:pk>/sessions/", views.project_sessions, name="project-sessions"),
]
