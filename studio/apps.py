from typing import Any

from django.apps import AppConfig


class StudioConfig(AppConfig):
    name = "studio"
    verbose_name = "Studio"

    def ready(self) -> None:
        # Today's sections (studio days, holds lapsing, challenges) and the writers of the
        # booking and hold notices register on import.
        from studio import agenda, invitations  # noqa: F401
        from studio.links import register

        register()  # a project picks its studios; Today and meetings take their zone

    def load_demo(self, *, by: Any) -> None:
        """Called by `manage.py demo`: the studio, its rooms and gear, the studio days."""
        from studio.demo import load

        load(by=by)
