"""The URL root: pages, the API under /api/v1/, its schema and docs, the admin."""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.urls import URLPattern, include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from config.errors import login_unless_docs_public
from core.security import ApiDocsPermission
from projects.accounts import admin_sign_in, staff_with_two_factor

# The admin is entered through the site's sign-in, with a second factor, always.
admin.site.login = admin_sign_in(admin.site.login)  # type: ignore[method-assign]
admin.site.has_permission = staff_with_two_factor  # type: ignore[method-assign]


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

# The admin's pages of the models that moved app (docs/architecture.md) answered under their
# old app's name; a bookmark or a link in an old mail is sent on to the same page.
MOVED_IN_ADMIN = {
    "studio": {
        **dict.fromkeys(
            (
                "person",
                "personcard",
                "project",
                "membership",
                "meeting",
                "notice",
                "noticepreference",
            ),
            "projects",
        ),
        **dict.fromkeys(("song", "songstagechange", "part", "songpart"), "songs"),
    },
    "releases": dict.fromkeys(("songversion", "versionnote", "listenlink", "listenplay"), "songs"),
}


def moved_admin_page(
    request: HttpRequest, old: str, model: str, rest: str
) -> HttpResponsePermanentRedirect:
    query = request.META.get("QUERY_STRING", "")
    to = f"/admin/{MOVED_IN_ADMIN[old][model]}/{model}/{rest}"
    return HttpResponsePermanentRedirect(f"{to}?{query}" if query else to)


def moved_admin_paths() -> list[URLPattern]:
    return [
        re_path(
            rf"^admin/(?P<old>{old})/(?P<model>{'|'.join(models)})/(?P<rest>.*)$",
            moved_admin_page,
        )
        for old, models in MOVED_IN_ADMIN.items()
    ]


urlpatterns = [
    *moved_admin_paths(),
    path("admin/", admin.site.urls),
    # Signing in, out and up, e-mail addresses, passwords, two-factor, sessions (allauth).
    path("accounts/", include("allauth.urls")),
    # Where signing in was before accounts came: old bookmarks and links in old mail.
    path("login/", RedirectView.as_view(pattern_name="account_login", query_string=True)),
    path("api/v1/", include("config.api")),
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
