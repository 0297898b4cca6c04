from typing import Any

from django.apps import AppConfig


class SongsConfig(AppConfig):
    name = "songs"
    verbose_name = "Songs"

    def ready(self) -> None:
        # Today's sections (song deadlines, notes waiting for an answer) and the mail about
        # notes and approvals (projects.notices) register on import.
        from songs import agenda, notices
        from songs.cards import register
        from songs.hooks import register_leaving_watcher
        from songs.services.versions import song_versions_leave

        register()  # the board's cards show the latest version and its open notes
        notices.register()
        # A song deleted takes its versions' files along.
        register_leaving_watcher("songs.versions", song_versions_leave)
        # A new project starts with the usual parts; a deleted one's songs leave with it.
        from projects import hooks as project_hooks
        from songs.services.parts import default_parts_create
        from songs.services.songs import project_songs_leave

        project_hooks.register_start_watcher("songs.parts", default_parts_create)
        project_hooks.register_leaving_watcher("songs.songs", project_songs_leave)
        del agenda

    def load_demo(self, *, by: Any) -> None:
        """Called by `manage.py demo`: the songs across the board, the tracking sheet and
        the versions with their notes."""
        from songs.demo import load

        load(by=by)
