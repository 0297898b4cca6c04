"""What the versions add to the song board's cards (songs.hooks): the latest version ("Mix v3")
and the open notes. Registered from SongsConfig.ready()."""

from songs.hooks import register_card_details


def register() -> None:
    from songs.selectors import version_card_details

    register_card_details("songs.versions", version_card_details)
