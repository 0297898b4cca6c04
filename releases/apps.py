from typing import Any

from django.apps import AppConfig


class ReleasesConfig(AppConfig):
    name = "releases"
    verbose_name = "Releases"

    def ready(self) -> None:
        # Its panel on the project hub (projects.hub) and its section of Today
        # (projects.agenda): failed renders. The deploy check on the DDEX message parties.
        from releases import agenda, hub  # noqa: F401
        from releases.ddex import checks  # noqa: F401
        from releases.services.masters import master_version_approved
        from songs.hooks import register_approval_watcher

        # A master version approved becomes the master of its song's tracks (songs.hooks).
        register_approval_watcher("releases.masters", master_version_approved)

    def load_demo(self, *, by: Any) -> None:
        """Called by `manage.py demo`: the single, with its tracks and credits."""
        from releases.demo import load

        load(by=by)
