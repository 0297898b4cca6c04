"""Calendar feed tokens: made for something the owner can see, rotated, revoked."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from projects.models import Person, Project
from studio.models import FeedToken, Room, Studio, new_feed_secret

if TYPE_CHECKING:
    from django.contrib.auth.models import User

Target = Person | Room | Studio | Project
KIND_OF: dict[type, str] = {
    Person: FeedToken.Kind.PERSON,
    Room: FeedToken.Kind.ROOM,
    Studio: FeedToken.Kind.STUDIO,
    Project: FeedToken.Kind.PROJECT,
}


@transaction.atomic
def feed_token_create(*, owner: User, target: Target) -> FeedToken:
    """A new secret feed address for ``target``; the caller checked that the owner sees it."""
    kind = KIND_OF[type(target)]
    return FeedToken.objects.create(owner=owner, kind=kind, **{kind: target})


@transaction.atomic
def feed_token_rotate(*, feed: FeedToken) -> FeedToken:
    """Give the feed a new secret: the old address stops working at once."""
    if feed.revoked_at is not None:
        raise ValidationError({"token": "This feed is revoked; make a new one."})
    feed.token = new_feed_secret()
    feed.save(update_fields=["token"])
    return feed


@transaction.atomic
def feed_token_revoke(*, feed: FeedToken) -> FeedToken:
    if feed.revoked_at is None:
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at"])
    return feed
