"""The URL root: pages, the API under /api/v1/, its schema and docs, the admin."""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from config.errors import login_unless_docs_public
from core.security import ApiDocsPermission


class SchemaView(SpectacularAPIView):
    permission_classes = [ApiDocsPermission]

    def handle_exception(self, exc: Exception) -> Response:
        # A refusal in JSON like every other API error, not in the schema's YAML.
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)


# The split view serves Swagger UI's start-up script as a file of its own, so the docs run
# under `script-src 'self'`; Swagger UI's page and React components still style inline.
swagger_ui = csp_update({"style-src": [UNSAFE_INLINE], "img-src": ["data:"]})(
    login_unless_docs_public(SpectacularSwaggerSplitView.as_view(url_name="schema"))
)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", swagger_ui, name="api-docs"),
    path("", include("projects.urls")),
    path("", include("studio.urls")),
    path("", include("songs.urls")),
    path("", include("sessions.urls")),
    path("", include("budgets.urls")),
    path("", include("releases.urls")),
]

handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
