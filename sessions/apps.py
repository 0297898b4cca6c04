from typing import Any

from django.apps import AppConfig


class RecordingConfig(AppConfig):
    """Recording sessions. The label is not "sessions": django.contrib.sessions has that one."""

    name = "sessions"
    label = "recording"
    verbose_name = "Recording sessions"

    def ready(self) -> None:
        # A session follows its booking when the booking moves; studio cannot import us, so
        # we hand it the follower (see sessions.services.sessions_follow_booking).
        from sessions.services import sessions_follow_booking
        from studio.services.bookings import booking_move_hook_register

        booking_move_hook_register(sessions_follow_booking)
        # A room that held sessions, or gear checked on one, is kept (studio_delete & co.).
        from sessions.selectors import studio_uses
        from studio.services.studios import studio_uses_register

        studio_uses_register(studio_uses)
        # A studio day's players get its invitations; call sheets are written here.
        from projects.notices import notice_writer_register
        from sessions.call_sheets import booking_players, call_sheet_letter
        from studio.invitations import register_booking_people

        register_booking_people(booking_players)
        notice_writer_register("call-sheet", call_sheet_letter)
        # The board's cards show each song's next planned session (songs.hooks).
        from sessions.cards import next_sessions
        from songs.hooks import register_card_details

        register_card_details("sessions.next_session", next_sessions)
        # Its panel on the project hub (projects.hub) and its sections of Today (projects.agenda).
        from sessions import agenda, hub  # noqa: F401

    def load_demo(self, *, by: Any) -> None:
        """Called by `manage.py demo` after the studio's part: a session with players."""
        from sessions.demo import load

        load(by=by)
