from typing import Any

from django.apps import AppConfig


class ReleasesConfig(AppConfig):
    name = "releases"
    verbose_name = "Releases"

    def ready(self) -> None:
        # Registers the deploy check on the DDEX message parties.
        # Its panel on the project hub (studio.hub) and its sections of Today (studio.agenda):
        # failed renders, notes waiting for an answer.
        from releases import agenda, agenda_notes, hub  # noqa: F401
        from releases.ddex import checks  # noqa: F401
        from releases.song_cards import register

        register()  # the board's cards show the latest version and its open notes
        from releases import version_notices

        version_notices.register()  # mail about notes and approvals (studio.notices)
        from releases.services.versions import song_versions_leave
        from studio.song_hooks import register_leaving_watcher

        # A song deleted takes its versions' files along (studio.song_hooks).
        register_leaving_watcher("releases.versions", song_versions_leave)

    def load_demo(self, *, by: Any) -> None:
        """Called by `manage.py demo`: the single, with its tracks and credits."""
        from releases.demo import load

        load(by=by)
