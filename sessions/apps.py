from typing import Any

from django.apps import AppConfig


class RecordingConfig(AppConfig):
    """Recording sessions. The label is not "sessions": django.contrib.sessions has that one."""

    name = "sessions"
    label = "recording"
    verbose_name = "Recording sessions"

    def load_demo(self, *, by: Any) -> None:
        """Called by `manage.py demo` after the studio's part: a session with players."""
        from sessions.demo import load

        load(by=by)
