from typing import Any

from django.apps import AppConfig


class ReleasesConfig(AppConfig):
    name = "releases"
    verbose_name = "Releases"

    def ready(self) -> None:
        from django.apps import apps

        # Registers the deploy check on the DDEX message parties.
        from releases.ddex import checks  # noqa: F401
        from studio.validators import guard_model_text_fields, guard_serializer_text_fields

        # Text with control characters is refused in every app, at every way in (API, pages,
        # admin, full_clean()): DDEX and tags are where they would break, so releases asks for
        # it; every model is loaded by the time any app is ready.
        guard_model_text_fields(apps.get_models())
        guard_serializer_text_fields()

    def load_demo(self, *, by: Any) -> None:
        """Called by `manage.py demo`: the single, with its tracks and credits."""
        from releases.demo import load

        load(by=by)
