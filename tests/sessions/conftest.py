"""The sessions fixtures (a room, a session on a booking, a player, the AFM preset), shared by
the sessions tests and the services lane's race tests."""

from tests.sessions.test_api import player, room, session, union  # noqa: F401
