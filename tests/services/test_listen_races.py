"""Wrong passwords on one listen link all at once: exactly PASSWORD_TRIES are checked, the
rest refused unchecked, in the local memory cache and in Redis (the cache several web
processes share, ``CACHE_URL=redis://...``). The count lives in the cache, not in a row: the
threads never read the database, so the test's own transaction is enough."""

import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest
from django.conf import LazySettings
from django.contrib.auth.hashers import check_password
from django.core.cache import cache, caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from projects.models import Project
from songs import services
from songs.models import ListenLink
from songs.services import song_create
from songs.services.listen import PASSWORD_LOCK, PASSWORD_TRIES, TooManyTries
from tests.releases.audio_files import tone
from tests.studio.test_booking_races import run_at_once

pytestmark = [pytest.mark.services, pytest.mark.django_db]

GUESSES = PASSWORD_TRIES + 2
BACKENDS = {"locmem": "LocMemCache", "redis": "RedisCache"}


@pytest.fixture(params=["locmem", "redis"])
def shared_cache(request: pytest.FixtureRequest, settings: LazySettings) -> Iterator[str]:
    """The default cache for the test: local memory as the tests have it, or the lane's
    Redis under a prefix of this test alone (never cleared: that would flush the broker's
    database)."""
    if request.param == "redis":
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": os.environ["CELERY_BROKER_URL"],
                "KEY_PREFIX": f"tracksheet-tests-{uuid.uuid4().hex}",
            }
        }
    assert type(caches["default"]).__name__ == BACKENDS[request.param]
    yield request.param


@pytest.fixture
def link(project: Project, tmp_path: Path) -> ListenLink:
    song = song_create(project=project, title="Paper Lanterns")
    path = tone(tmp_path / "mix.wav", seconds=2.0, rate=44100)
    version = services.version_upload(
        song=song, kind="mix", upload=SimpleUploadedFile("mix.wav", path.read_bytes()), by=None
    )
    return services.listen_link_create(
        version=version,
        label="A&R",
        expires_at=timezone.now() + PASSWORD_LOCK * 4,
        by=None,
        password="open sesame",
    )


def test_parallel_wrong_passwords_check_exactly_the_limit(
    shared_cache: str, link: ListenLink
) -> None:
    # Every guess meets the others at this barrier: the checked ones inside the password
    # check, the refused ones after their refusal. So no guess has finished (and counted)
    # before all have decided whether to check; reading the count first then adding to it,
    # all twelve would be checked.
    met = threading.Barrier(GUESSES, timeout=30)
    checked: list[str] = []

    def checking(password: str, encoded: str) -> bool:
        checked.append(password)
        met.wait()
        return check_password(password, encoded)

    def guess(i: int) -> bool | TooManyTries:
        try:
            return services.listen_link_password_ok(link=link, password=f"guess {i}")
        except TooManyTries as refusal:
            met.wait()
            return refusal

    key = f"listen-link-tries:{link.pk}"
    try:
        with mock.patch("songs.services.listen.check_password", checking):
            answers = run_at_once(guess, GUESSES)
        assert len(checked) == PASSWORD_TRIES
        assert sorted(repr(answer) for answer in answers) == sorted(
            [repr(False)] * PASSWORD_TRIES
            + [repr(TooManyTries("Too many wrong passwords: try again in 15 minutes."))] * 2
        )
        assert cache.get(key) == PASSWORD_TRIES
        with pytest.raises(TooManyTries):
            services.listen_link_password_ok(link=link, password="open sesame")
        assert cache.get(key) == PASSWORD_TRIES
    finally:
        cache.delete(key)


def test_parallel_right_passwords_leave_no_tries_behind(
    shared_cache: str, link: ListenLink
) -> None:
    answers = run_at_once(
        lambda _: services.listen_link_password_ok(link=link, password="open sesame"), GUESSES
    )
    key = f"listen-link-tries:{link.pk}"
    try:
        assert answers == [True] * GUESSES
        assert cache.get(key, 0) == 0
    finally:
        cache.delete(key)
