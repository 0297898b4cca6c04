"""What releases adds to the song board's cards (studio.song_hooks): the latest version
("Mix v3") and the open notes. Registered from ReleasesConfig.ready()."""

from studio.song_hooks import register_card_details


def register() -> None:
    from releases.versions import card_details

    register_card_details("releases.versions", card_details)
