"""Pages of projects: Today, the projects and their hub, members, people, meetings, the
account."""

from django.urls import path

from projects.views import account, joining, meetings, people, projects

urlpatterns = [
    path("", projects.dashboard, name="dashboard"),
    path("projects/", projects.project_list, name="project-list"),
    path("projects/new/", projects.project_create, name="project-create"),
    path("projects/<int:pk>/", projects.project_detail, name="project-detail"),
    path("projects/<int:pk>/edit/", projects.project_edit, name="project-edit"),
    path("projects/<int:pk>/invitations/", joining.invitation_create, name="invitation-create"),
    path(
        "projects/<int:pk>/invitations/<int:invitation_id>/resend/",
        joining.invitation_resend,
        name="invitation-resend",
    ),
    path(
        "projects/<int:pk>/invitations/<int:invitation_id>/revoke/",
        joining.invitation_revoke,
        name="invitation-revoke",
    ),
    path("invitations/<str:token>/", joining.invitation_open, name="invitation-open"),
    path("projects/<int:pk>/meetings/", meetings.meeting_list, name="meeting-list"),
    path("projects/<int:pk>/meetings/new/", meetings.meeting_new, name="meeting-new"),
    path(
        "projects/<int:pk>/meetings/<int:meeting_id>/edit/",
        meetings.meeting_edit,
        name="meeting-edit",
    ),
    path(
        "projects/<int:pk>/meetings/<int:meeting_id>/cancel/",
        meetings.meeting_cancel_view,
        name="meeting-cancel",
    ),
    path("people/", people.people_list, name="people-list"),
    path("people/new/", people.contact_create, name="contact-create"),
    path(
        "people/<int:person_id>/cards/<int:project_id>/",
        people.contact_row,
        name="contact-row",
    ),
    path(
        "people/<int:person_id>/cards/<int:project_id>/edit/",
        people.contact_edit,
        name="contact-edit",
    ),
    path("account/", account.account, name="account"),
    path("account/sign-out-everywhere/", account.sign_out_everywhere, name="sign-out-everywhere"),
    path("account/token/", projects.api_token, name="api-token"),
    path("account/token/new/", projects.api_token_create, name="api-token-create"),
    path("account/token/revoke/", projects.api_token_revoke, name="api-token-revoke"),
]
