from django.urls import path

from sessions import views

urlpatterns = [
    path("sessions/<int:pk>/", views.session_detail, name="session-detail"),
    path("projects/<int:pk>/pay/", views.project_pay, name="project-pay"),
    path("projects/<int:pk>/sessions/", views.project_sessions, name="project-sessions"),
]
