"""A user's API token (DRF's authtoken: one per user), rotated or revoked from the account page,
and signing out everywhere: every session and the token at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from allauth.usersessions.models import UserSession
from django.contrib.auth import get_user_model
from django.db import transaction
from rest_framework.authtoken.models import Token

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _lock_user(user: User) -> None:
    # The token's row may not exist yet, so the user's row is what two rotations at once wait
    # on: without it both delete nothing, both insert, and the second dies on the one-per-user
    # key instead of replacing the first.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()


@transaction.atomic
def token_rotate(*, user: User) -> Token:
    """Give the user a new API token: the old one, if any, stops working at once."""
    _lock_user(user)
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


@transaction.atomic
def token_revoke(*, user: User) -> bool:
    """Remove the user's API token; False when there was none."""
    _lock_user(user)
    deleted, _ = Token.objects.filter(user=user).delete()
    return deleted > 0


def sign_out_everywhere(*, user: User) -> int:
    """End every session of the user (each browser signed in, this one included) and remove
    their API token. Returns how many sessions ended.

    Sessions are found through allauth's record of them (one row per sign-in); the token goes
    in one transaction, the sessions each on their own, as the session store deletes them."""
    token_revoke(user=user)
    sessions = list(UserSession.objects.filter(user=user))
    for session in sessions:
        session.end()
    return len(sessions)
