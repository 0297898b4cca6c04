"""Everything under /api/v1/: one router, each app registering its viewsets."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from budgets import api as budgets_api
from projects import api as projects_api
from releases import api as releases_api
from sessions import api as sessions_api
from songs import api as songs_api
from studio import api as studio_api

router = DefaultRouter()
router.register("people", projects_api.PersonViewSet, basename="person")
router.register("projects", projects_api.ProjectViewSet, basename="project")
router.register("studios", studio_api.StudioViewSet, basename="studio")
router.register("rooms", studio_api.RoomViewSet, basename="room")
router.register("gear", studio_api.GearViewSet, basename="gear")
router.register("bookings", studio_api.BookingViewSet, basename="booking")
router.register("feeds", studio_api.FeedTokenViewSet, basename="feed-token")
router.register("songs", songs_api.SongViewSet, basename="song")
router.register("parts", songs_api.PartViewSet, basename="part")
router.register("song-parts", songs_api.SongPartViewSet, basename="song-part")
router.register("song-stages", songs_api.SongStagesViewSet, basename="song-stages")
router.register("meetings", projects_api.MeetingViewSet, basename="meeting")
router.register("sessions", sessions_api.SessionViewSet, basename="session")
router.register("engagements", sessions_api.EngagementViewSet, basename="engagement")
router.register("rate-rules", sessions_api.RateRuleViewSet, basename="rate-rule")
router.register("takes", sessions_api.TakeViewSet, basename="take")
router.register("gear-checks", sessions_api.GearCheckViewSet, basename="gear-check")
router.register("payments", sessions_api.PaymentViewSet, basename="payment")
router.register("payees", sessions_api.PayeeDetailsViewSet, basename="payee")
router.register("budgets", budgets_api.BudgetViewSet, basename="budget")
router.register("budget-lines", budgets_api.BudgetLineViewSet, basename="budget-line")
router.register("costs", budgets_api.CostViewSet, basename="cost")
router.register("invoices", budgets_api.InvoiceViewSet, basename="invoice")
router.register("invoice-lines", budgets_api.InvoiceLineViewSet, basename="invoice-line")
router.register("billing-plans", budgets_api.BillingPlanViewSet, basename="billing-plan")
router.register(
    "billing-milestones", budgets_api.BillingMilestoneViewSet, basename="billing-milestone"
)
router.register("releases", releases_api.ReleaseViewSet, basename="release")
router.register("tracks", releases_api.TrackViewSet, basename="track")
router.register("credits", releases_api.CreditViewSet, basename="credit")
router.register("render-jobs", releases_api.RenderJobViewSet, basename="render-job")
router.register("deliverables", releases_api.DeliverableViewSet, basename="deliverable")
router.register("song-versions", songs_api.SongVersionViewSet, basename="song-version")
router.register("version-notes", songs_api.VersionNoteViewSet, basename="version-note")
router.register("listen-links", songs_api.ListenLinkViewSet, basename="listen-link")

members = projects_api.MembershipViewSet
invitations = projects_api.InvitationViewSet
urlpatterns = [
    path(
        "projects/<int:project_pk>/invitations/",
        invitations.as_view({"get": "list", "post": "create"}),
        name="project-invitation-list",
    ),
    path(
        "projects/<int:project_pk>/invitations/<int:pk>/",
        invitations.as_view({"get": "retrieve", "delete": "destroy"}),
        name="project-invitation-detail",
    ),
    path(
        "projects/<int:project_pk>/invitations/<int:pk>/resend/",
        invitations.as_view({"post": "resend"}),
        name="project-invitation-resend",
    ),
    path(
        "projects/<int:project_pk>/members/",
        members.as_view({"get": "list", "post": "create"}),
        name="project-member-list",
    ),
    path(
        "projects/<int:project_pk>/members/<int:pk>/",
        members.as_view(
            {"get": "retrieve", "put": "update", "patch": "partial_update", "delete": "destroy"}
        ),
        name="project-member-detail",
    ),
    *router.urls,
]
