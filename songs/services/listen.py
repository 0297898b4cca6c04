"""Listen links: a secret address that plays one version to someone without an account,
revocable, expiring, maybe behind a password; every play logged."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.contrib.auth.hashers import check_password, make_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.errors import Conflict
from songs.models import ListenLink, ListenPlay, SongVersion

if TYPE_CHECKING:
    from django.contrib.auth.models import User

PASSWORD_TRIES = 10
PASSWORD_LOCK = datetime.timedelta(minutes=15)


class TooManyTries(Exception):
    """Wrong passwords came too often for this link; the message says when to try again."""


# A link lives at most a year: a forgotten link must stop working on its own.
LONGEST = datetime.timedelta(days=366)
USER_AGENT_MAX = 200


@transaction.atomic
def listen_link_create(
    *,
    version: SongVersion,
    label: str,
    expires_at: datetime.datetime,
    by: User | None,
    password: str = "",
    allow_download: bool = False,
    allow_notes: bool = False,
) -> ListenLink:
    """A new link to ``version`` for ``label`` (who it is for), until ``expires_at``."""
    now = timezone.now()
    errors: dict[str, str] = {}
    label = label.strip()
    if not label:
        errors["label"] = "Say who the link is for (it is how the play log names them)."
    elif len(label) > 200:
        errors["label"] = "At most 200 characters."
    if expires_at <= now:
        errors["expires_at"] = "A time in the future."
    elif expires_at > now + LONGEST:
        errors["expires_at"] = "At most a year from now."
    if password and len(password) < 6:
        errors["password"] = "At least 6 characters, or none."  # noqa: S105
    if errors:
        raise ValidationError(errors)
    return ListenLink.objects.create(
        version=version,
        label=label,
        expires_at=expires_at,
        password_hash=make_password(password) if password else "",
        allow_download=allow_download,
        allow_notes=allow_notes,
        created_by=by,
    )


@transaction.atomic
def listen_link_revoke(*, link: ListenLink) -> ListenLink:
    """Stop the link now; it answers 404 from then on. Revoking twice is a conflict."""
    link = ListenLink.objects.select_for_update().get(pk=link.pk)
    if link.revoked_at is not None:
        raise Conflict(f"Revoked on {link.revoked_at:%Y-%m-%d %H:%M}.", code="revoked")
    link.revoked_at = timezone.now()
    link.save(update_fields=["revoked_at"])
    return link


def listen_link_active(*, token: str) -> ListenLink | None:
    """The link of ``token`` if it is neither revoked nor expired; None for any other token
    (the caller answers the same 404 whatever the reason)."""
    if not token or len(token) > 64:
        return None
    return (
        ListenLink.objects.filter(
            token=token, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )
        .select_related("version__song")
        .first()
    )


def listen_link_password_ok(*, link: ListenLink, password: str) -> bool:
    """Whether ``password`` opens the link (a link without one is open).

    Raises ``TooManyTries`` after PASSWORD_TRIES wrong ones within PASSWORD_LOCK, without
    checking: a link's password is short enough to guess, the link itself is not."""
    if not link.password_hash:
        return True
    key = f"listen-link-tries:{link.pk}"
    # A guess takes its try before the password is checked, and gives it back when it was
    # right or refused. Reading the count and adding to it after the check let parallel
    # guesses all read "under ten" and all be checked; the cache's increment is atomic
    # (Redis INCR, the local memory cache's lock), so at most PASSWORD_TRIES wrong guesses
    # are checked in a window however many arrive at once.
    window = int(PASSWORD_LOCK.total_seconds())
    cache.add(key, 0, timeout=window)
    try:
        taken = cache.incr(key)
    except ValueError:  # the window closed between add and incr: this guess opens the next
        cache.add(key, 0, timeout=window)
        taken = cache.incr(key)
    if taken == 1:
        # The window runs from the first guess. Also gives an expiry to a key that Redis's
        # INCR made without one (Django checks the key exists, then increments: it can
        # expire in between), which would otherwise lock the link for good.
        cache.touch(key, timeout=window)
    if taken > PASSWORD_TRIES:
        _give_back(key)
        raise TooManyTries(
            f"Too many wrong passwords: try again in {PASSWORD_LOCK.seconds // 60} minutes."
        )
    if check_password(password, link.password_hash):
        _give_back(key)
        return True
    return False


def _give_back(key: str) -> None:
    try:
        cache.decr(key)
    except ValueError:  # the window closed meanwhile: nothing left to give back
        pass


def listen_play_record(*, link: ListenLink, key: str, user_agent: str = "") -> ListenPlay:
    """Log a play of the link's preview once per page load (``key``, the page's own): the
    player's range requests and replays on the same page come back to the same row.

    ``get_or_create`` reads again when a concurrent request of the same play inserted first."""
    play, _ = ListenPlay.objects.get_or_create(
        link=link, key=key[:32], defaults={"user_agent": user_agent[:USER_AGENT_MAX]}
    )
    return play
