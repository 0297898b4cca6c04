"""Listen links' rules through the service and the API: ten wrong passwords lock a link for
fifteen minutes (the right one included), a label says who the link is for, a password is
at least six characters or none."""

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from projects.models import Project
from songs import services
from songs.models import ListenLink, SongVersion
from songs.services import song_create
from songs.services.listen import PASSWORD_LOCK, PASSWORD_TRIES, TooManyTries
from tests.releases.audio_files import tone

pytestmark = pytest.mark.django_db

LOCKED = "Too many wrong passwords: try again in 15 minutes."


@pytest.fixture
def version(project: Project, owner: Any, tmp_path: Path) -> SongVersion:
    """A mix of the song; its analysis is queued after a commit these tests never make."""
    song = song_create(project=project, title="Paper Lanterns")
    path = tone(tmp_path / "mix.wav", seconds=2.0, rate=44100)
    return services.version_upload(
        song=song, kind="mix", upload=SimpleUploadedFile("mix.wav", path.read_bytes()), by=owner
    )


def in_a_week() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=7)


def test_the_limit_and_the_lock_are_ten_tries_and_fifteen_minutes() -> None:
    assert (PASSWORD_TRIES, PASSWORD_LOCK) == (10, datetime.timedelta(minutes=15))


def test_ten_wrong_passwords_lock_the_link_for_fifteen_minutes(
    version: SongVersion, time_machine: Any
) -> None:
    time_machine.move_to(timezone.now(), tick=False)
    first_guess = timezone.now()
    link = services.listen_link_create(
        version=version, label="A&R", expires_at=in_a_week(), by=None, password="open sesame"
    )
    guesses = [
        services.listen_link_password_ok(link=link, password=f"guess {n}") for n in range(10)
    ]
    assert guesses == [False] * 10
    # Locked: not even the right password is checked.
    with pytest.raises(TooManyTries) as refused:
        services.listen_link_password_ok(link=link, password="open sesame")
    assert str(refused.value) == LOCKED
    time_machine.move_to(first_guess + PASSWORD_LOCK - datetime.timedelta(seconds=1), tick=False)
    with pytest.raises(TooManyTries):
        services.listen_link_password_ok(link=link, password="open sesame")
    time_machine.move_to(first_guess + PASSWORD_LOCK, tick=False)
    assert services.listen_link_password_ok(link=link, password="open sesame") is True
    assert services.listen_link_password_ok(link=link, password="guess") is False


def test_right_passwords_use_no_tries(version: SongVersion) -> None:
    link = services.listen_link_create(
        version=version, label="A&R", expires_at=in_a_week(), by=None, password="open sesame"
    )
    wrong = [services.listen_link_password_ok(link=link, password="guess") for _ in range(9)]
    right = [services.listen_link_password_ok(link=link, password="open sesame") for _ in range(5)]
    assert (wrong, right) == ([False] * 9, [True] * 5)
    # The tenth wrong one is still checked; after it, nothing is.
    assert services.listen_link_password_ok(link=link, password="guess") is False
    with pytest.raises(TooManyTries):
        services.listen_link_password_ok(link=link, password="open sesame")


def test_a_link_without_a_password_is_open_whatever_is_typed(version: SongVersion) -> None:
    link = services.listen_link_create(
        version=version, label="A&R", expires_at=in_a_week(), by=None
    )
    answers = [services.listen_link_password_ok(link=link, password="guess") for _ in range(12)]
    assert answers == [True] * 12


@pytest.mark.parametrize(
    ("label", "message"),
    [
        ("", "Say who the link is for (it is how the play log names them)."),
        ("   ", "Say who the link is for (it is how the play log names them)."),
        ("x" * 201, "At most 200 characters."),
    ],
)
def test_a_label_says_who_the_link_is_for(version: SongVersion, label: str, message: str) -> None:
    with pytest.raises(ValidationError) as refused:
        services.listen_link_create(version=version, label=label, expires_at=in_a_week(), by=None)
    assert refused.value.message_dict == {"label": [message]}
    assert not ListenLink.objects.exists()


def test_a_label_of_two_hundred_characters_is_kept_whole(version: SongVersion) -> None:
    link = services.listen_link_create(
        version=version, label=f"  {'x' * 200}  ", expires_at=in_a_week(), by=None
    )
    assert ListenLink.objects.get(pk=link.pk).label == "x" * 200


def test_a_password_is_six_characters_or_none(version: SongVersion) -> None:
    with pytest.raises(ValidationError) as refused:
        services.listen_link_create(
            version=version, label="A&R", expires_at=in_a_week(), by=None, password="12345"
        )
    assert refused.value.message_dict == {"password": ["At least 6 characters, or none."]}
    assert not ListenLink.objects.exists()
    six = services.listen_link_create(
        version=version, label="A&R", expires_at=in_a_week(), by=None, password="123456"
    )
    assert six.has_password
    assert services.listen_link_password_ok(link=six, password="123456") is True


def test_the_api_refuses_a_short_password_with_the_fields_message(
    as_owner: APIClient, version: SongVersion
) -> None:
    answer = as_owner.post(
        "/api/v1/listen-links/",
        {
            "version": version.pk,
            "label": "Mastering engineer",
            "expires_at": in_a_week().isoformat(),
            "password": "12345",
        },
        format="json",
    )
    assert answer.status_code == 400
    assert answer.json() == {"password": ["At least 6 characters, or none."]}
    assert not ListenLink.objects.exists()
