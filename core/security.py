"""Sign-in lockouts (django-axes) and API throttles (DRF): how fast anyone may guess.

Pages and the admin: a username tried from one address is locked after
``SIGNIN_FAILURE_LIMIT`` wrong passwords, and an address after ``SIGNIN_ADDRESS_FAILURE_LIMIT``
across usernames (one machine guessing many accounts), for ``SIGNIN_COOLOFF_MINUTES``. The API:
each user and each anonymous address has a request budget, and an address that keeps sending
bad tokens is refused before its next token is even looked up.

Axes keeps its attempts in the database (shared by every process, listed in the admin); DRF's
throttles keep theirs in the default cache, which must be shared (``CACHE_URL=redis://...``)
once more than one process serves the API, or each process counts on its own.
"""

from __future__ import annotations

import datetime
import math
from typing import Any, cast

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.db.models import Max, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import (
    BaseAuthentication,
    TokenAuthentication,
    get_authorization_header,
)
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle, UserRateThrottle


def client_address(request: HttpRequest) -> str | None:
    """The caller's address as DRF's throttles see it (``REST_FRAMEWORK['NUM_PROXIES']``), so
    that a sign-in lockout and an API throttle agree on who the caller is. Behind N reverse
    proxies it is the Nth address from the right of X-Forwarded-For; entries further left are
    the client's own to invent."""
    # get_ident reads only META and the headers, which a Django request has as DRF's does.
    return BaseThrottle().get_ident(cast("Request", request))


class SignInHandler(AxesDatabaseHandler):
    """Axes' database handler with two limits instead of one.

    ``AXES_LOCKOUT_PARAMETERS`` is ``[["username", "ip_address"], "ip_address"]``, so Axes hands
    us two sets of attempts: this username from this address, and everything from this address.
    Axes compares a single count with ``AXES_FAILURE_LIMIT`` (the per-account limit); an
    address that has used up its own, larger budget reports that limit, whatever the username.
    """

    def get_failures(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        attempts = self.get_user_attempts(request, credentials)
        account, address = (_failures(each) for each in attempts)
        limit: int = settings.AXES_FAILURE_LIMIT
        if address >= settings.SIGNIN_ADDRESS_FAILURE_LIMIT:
            return max(account, limit)
        return account

    def locked_until(
        self, request: Any, credentials: dict[str, Any] | None = None
    ) -> datetime.datetime:
        """When this caller may sign in again, at the latest: a cool-off after the last failure
        counted by whichever lock holds. (Several failures make up a lock, so it may lift a
        little sooner, as the older ones age out of the cool-off window.)"""
        now = getattr(request, "axes_attempt_time", None) or timezone.now()
        account, address = self.get_user_attempts(request, credentials)
        holding = []
        if _failures(account) >= settings.AXES_FAILURE_LIMIT:
            holding.append(account)
        if _failures(address) >= settings.SIGNIN_ADDRESS_FAILURE_LIMIT:
            holding.append(address)
        last = [when for when in map(_last_failure, holding) if when is not None]
        return max(last, default=now) + _cool_off(request)


def _failures(attempts: QuerySet[Any]) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


def _last_failure(attempts: QuerySet[Any]) -> datetime.datetime | None:
    last: datetime.datetime | None = attempts.aggregate(last=Max("attempt_time"))["last"]
    return last


def _cool_off(request: HttpRequest) -> datetime.timedelta:
    return get_cool_off(request) or datetime.timedelta(0)


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """429 with Retry-After and a page saying when to come back.

    Attempts refused during a lock are not recorded
    (``AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False``), so the time stays put however
    often the caller retries, and a guesser hammering a lock adds no rows."""
    until = SignInHandler().locked_until(request, credentials)
    # Axes counts a failure up to and including the instant its cool-off ends: the first
    # second to try again is the one after.
    remaining = max(0.0, (until - timezone.now()).total_seconds())
    wait = math.floor(remaining) + 1
    response = render(
        request,
        "registration/locked_out.html",
        {"until": until, "minutes": max(1, math.ceil(remaining / 60))},
        status=429,
    )
    response["Retry-After"] = str(wait)
    return response


class _SettingsRate:
    """Read the rate when the throttle is made, not when the module is imported (DRF's
    ``THROTTLE_RATES`` is a class attribute), so a changed setting takes effect at once."""

    scope: str | None

    def get_rate(self) -> str | None:
        rates: dict[str, Any] = api_settings.DEFAULT_THROTTLE_RATES
        rate: str | None = rates[str(self.scope)]
        return rate


class UserRateLimit(_SettingsRate, UserRateThrottle):
    """Each signed-in user's request budget (rate ``user``)."""


class AddressBudget(_SettingsRate, SimpleRateThrottle):
    """A number of events per caller address and period, asked (``exhausted``) and told
    (``record``) separately, since the authentication classes below count only some requests.

    Like DRF's throttles, the history is read and written without a lock: two events at the
    same instant may count as one, loosening the budget by at most the parallel requests."""

    def exhausted(self, request: Request) -> bool:
        num_requests, duration = self.parse_rate(self.rate)
        if num_requests is None or duration is None:
            return False
        self.key = self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - duration:
            self.history.pop()
        return len(self.history) >= num_requests

    def record(self) -> None:
        num_requests, duration = self.parse_rate(self.rate)
        if duration is None:
            return
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, duration)


class AnonymousRateLimit(AddressBudget):
    """Requests without accepted credentials (rate ``anon``)."""

    scope = "anon"


class TokenFailureLimit(AddressBudget):
    """Rejected API tokens (rate ``token_failure``)."""

    scope = "token_failure"


class ThrottledTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, slowed for an address that keeps presenting bad tokens.

    DRF runs throttles after authentication, and a bad token ends the request there with a
    401, so no throttle ever counts token guesses. Here the address's failures are counted,
    and once its budget is spent every token from it is refused with 429 before it is looked
    up, the right one too, so a guesser cannot tell a hit from a miss until the wait is over.
    """

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        if not self.keyword_present(request):
            return None
        limit = TokenFailureLimit()
        if limit.exhausted(request):
            raise exceptions.Throttled(wait=limit.wait())
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            limit.record()
            raise

    def keyword_present(self, request: Request) -> bool:
        """The test TokenAuthentication.authenticate makes before it looks at a token."""
        words = get_authorization_header(request).split()
        return bool(words) and words[0].lower() == self.keyword.lower().encode()


class AnonymousRateAuthentication(BaseAuthentication):
    """Last in the authentication chain: reached only when no credentials were accepted.

    DRF checks permissions before throttles, so an anonymous request to a view that needs a
    login ends with 401 before any throttle counts it; counting here, at the end of
    authentication, budgets every anonymous API request, whatever the view."""

    def authenticate(self, request: Request) -> None:
        view = request.parser_context.get("view") if request.parser_context else None
        if getattr(view, "swagger_fake_view", False):
            # drf-spectacular asks each view for its queryset with a made-up request while it
            # builds the schema; that is no caller, and must not spend 127.0.0.1's budget.
            return None
        limit = AnonymousRateLimit()
        if limit.exhausted(request):
            raise exceptions.Throttled(wait=limit.wait())
        limit.record()
        return None


class ApiDocsPermission(BasePermission):
    """The OpenAPI schema for signed-in users, or for anyone when ``API_DOCS_PUBLIC`` is on
    (read per request, so the setting can be changed without re-importing the views)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(settings.API_DOCS_PUBLIC or request.user.is_authenticated)
