from django.apps import AppConfig


class RecordingConfig(AppConfig):
    """Recording sessions. The label is not "sessions": django.contrib.sessions has that one."""

    name = "sessions"
    label = "recording"
    verbose_name = "Recording sessions"
