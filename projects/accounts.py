"""Accounts, as this site adapts django-allauth: who may sign up, what joining by invitation
does, which addresses count as verified, and who must sign in with a second factor.

- Sign-up follows ``SIGNUP``: ``open``, ``invite`` (only with an open invitation's link in
  the session, projects.views.joining) or ``closed``. The invitation's address is verified by
  the invitation; an address typed at sign-up waits for its mail's link.
- A production may require two-factor sign-in of its members (``Project.require_two_factor``):
  a member without a second factor is sent to set one up, from the next page they open, and
  may not remove their last one. The admin requires it of staff, always.
- TOTP secrets and recovery-code seeds are stored encrypted with a key derived from
  ``SECRET_KEY`` (and ``SECRET_KEY_FALLBACKS``, so a rotated key still reads them).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Iterable
from importlib import import_module
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.account.models import EmailAddress
from allauth.account.signals import password_reset, user_signed_up
from allauth.account.stages import EmailVerificationStage
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added
from allauth.mfa.utils import is_mfa_enabled
from allauth.usersessions.models import UserSession
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import PermissionDenied, ValidationError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, resolve_url
from django.urls import reverse

from core.validators import TextGuardFormMixin
from projects.models import Invitation, Person, Project

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# The session's open invitation (its link's token), set when the link is opened.
INVITATION_KEY = "projects_invitation"
# The production just joined at sign-up: where the new member lands.
JOINED_KEY = "projects_joined"
# Set in a session whose user must set up a second factor before going on.
TWO_FACTOR_KEY = "projects_two_factor_required"
SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def signup_mode(request: HttpRequest) -> dict[str, Any]:
    """Template context: may anyone make an account here (the sign-in page's link)."""
    return {"signup_open": settings.SIGNUP == "open"}


def session_invitation(request: HttpRequest) -> Invitation | None:
    """The open invitation whose link this browser opened, if it still holds."""
    from projects.services.joining import invitation_from_token, refusal_of

    token = request.session.get(INVITATION_KEY)
    invitation = invitation_from_token(token) if isinstance(token, str) else None
    if invitation is None or refusal_of(invitation) is not None:
        return None
    return invitation


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        if settings.SIGNUP == "open":
            return True
        if settings.SIGNUP == "invite":
            return session_invitation(request) is not None
        return False

    def get_login_stages(self) -> list[str]:
        return [
            "projects.accounts.VerifiedEmailStage"
            if stage == "allauth.account.stages.EmailVerificationStage"
            else stage
            for stage in super().get_login_stages()
        ]

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        joined = request.session.pop(JOINED_KEY, None)
        if isinstance(joined, int):
            return reverse("project-detail", args=[joined])
        return super().get_signup_redirect_url(request)

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        """The name given at sign-up is the account's (first name holds all of it, as the
        admin shows it) and, below, the person's."""
        user = super().save_user(request, user, form, commit=False)
        name = form.cleaned_data.get("name", "") if hasattr(form, "cleaned_data") else ""
        if name:
            user.first_name = name[:150]
        if commit:
            user.save()
        return user


class VerifiedEmailStage(EmailVerificationStage):
    """Mandatory verification for addresses given at sign-up or added later. An account an
    administrator made (no address recorded by allauth) signs in as it did before accounts
    came: the administrator vouched for it."""

    def handle(self) -> tuple[HttpResponse | None, bool]:
        user = self.login.user
        if user is not None and not EmailAddress.objects.filter(user_id=user.pk).exists():
            return None, True
        response, cont = super().handle()
        return response, cont


class LoginForm(AllauthLoginForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "Username or e-mail"


class SignupForm(TextGuardFormMixin, AllauthSignupForm):
    """Sign-up asks a name first: it is how the production's members and contacts see you."""

    name = forms.CharField(
        max_length=150, label="Your name", help_text="As the production's people will see it."
    )
    field_order = ["name", "email", "password1", "password2"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs.update({"autocomplete": "name"})
        self.order_fields(self.field_order)


@receiver(user_signed_up)
def _joined_at_signup(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    """A new account accepts the invitation whose link brought it here; without one it gets
    a person of its own, named as it signed up."""
    from projects.services.joining import invitation_accept

    invitation = session_invitation(request)
    if invitation is not None:
        try:
            membership = invitation_accept(invitation=invitation, user=user)
        except ValidationError:
            pass
        else:
            request.session[JOINED_KEY] = membership.project_id
            request.session.pop(INVITATION_KEY, None)
            return
    if not Person.objects.filter(user=user).exists():
        Person.objects.create(name=(user.get_full_name() or user.get_username())[:200], user=user)


@receiver(password_reset)
def _address_verified_by_reset(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """The reset link came by mail to the account's address: following it verifies that
    address (an account an administrator made has it recorded from here on)."""
    if user.email:
        EmailAddress.objects.update_or_create(
            user=user,
            email__iexact=user.email,
            defaults={"email": user.email.lower(), "verified": True},
            create_defaults={"email": user.email.lower(), "verified": True, "primary": True},
        )


def two_factor_required_by(user: Any) -> list[Project]:
    """The productions that require the user to sign in with a second factor."""
    return list(Project.objects.filter(memberships__user=user, require_two_factor=True))


def _needs_setup(user: Any) -> bool:
    return bool(two_factor_required_by(user)) and not is_mfa_enabled(user, types=SECOND_FACTORS)


@receiver(user_logged_in)
def _two_factor_at_sign_in(sender: Any, request: HttpRequest | None, user: Any, **kw: Any) -> None:
    if request is not None and hasattr(request, "session") and _needs_setup(user):
        request.session[TWO_FACTOR_KEY] = True


@receiver(authenticator_added)
def _two_factor_set_up(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session.pop(TWO_FACTOR_KEY, None)


def ask_two_factor(users: Iterable[Any]) -> int:
    """Mark the signed-in sessions of those users who have no second factor, so each is sent
    to set one up at their next page (a production turned the requirement on, or they joined
    one that has it). Returns how many sessions were marked."""
    engine = import_module(settings.SESSION_ENGINE)
    ids = [user.pk for user in users]
    with_factor = set(
        Authenticator.objects.filter(user_id__in=ids, type__in=SECOND_FACTORS).values_list(
            "user_id", flat=True
        )
    )
    marked = 0
    for record in UserSession.objects.filter(user_id__in=ids).exclude(user_id__in=with_factor):
        store = engine.SessionStore(record.session_key)
        if store.exists(record.session_key):
            store[TWO_FACTOR_KEY] = True
            store.save()
            marked += 1
    return marked


class TwoFactorRequiredMiddleware:
    """Send a user whose session is marked (``TWO_FACTOR_KEY``) to set up a second factor:
    every page but the account's own (allauth's, under /accounts/) redirects there, and the
    API answers 403 saying so. Reads only the session, so an unmarked request costs no
    query."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.open_paths = ("/accounts/", "/" + settings.STATIC_URL.lstrip("/"))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if (
            session is not None
            and session.get(TWO_FACTOR_KEY)
            and request.user.is_authenticated
            and not request.path.startswith(self.open_paths)
        ):
            if request.path.startswith("/api/") and not is_mfa_enabled(
                request.user, types=SECOND_FACTORS
            ):
                raise PermissionDenied(
                    "A production you are on requires two-factor sign-in: set it up first."
                )
            names = ", ".join(str(p) for p in two_factor_required_by(request.user))
            # Set up meanwhile (in another browser), or no longer required: the mark goes.
            if not names or is_mfa_enabled(request.user, types=SECOND_FACTORS):
                session.pop(TWO_FACTOR_KEY, None)
                return self.get_response(request)
            messages.warning(
                request,
                f"{names} requires two-factor sign-in: set up an authenticator app or a "
                "security key to go on.",
            )
            return redirect("mfa_index")
        return self.get_response(request)


def _fernet() -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet(
        [
            Fernet(base64.urlsafe_b64encode(hashlib.sha256(f"mfa:{key}".encode()).digest()))
            for key in keys
        ]
    )


class TwoFactorAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        return _fernet().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        try:
            return _fernet().decrypt(encrypted_text.encode()).decode()
        except InvalidToken:
            # Stored before encryption was on: taken as written.
            return encrypted_text

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """The last second factor stays while a production or the admin requires one."""
        if authenticator.type not in SECOND_FACTORS:
            return True
        user = authenticator.user
        others = Authenticator.objects.filter(user=user, type__in=SECOND_FACTORS).exclude(
            pk=authenticator.pk
        )
        if others.exists():
            return True
        return not (user.is_staff or two_factor_required_by(user))


def staff_with_two_factor(request: HttpRequest) -> bool:
    """The admin's door (AdminSite.has_permission): active staff with a second factor."""
    user = request.user
    return bool(user.is_active and user.is_staff and is_mfa_enabled(user, types=SECOND_FACTORS))


def admin_sign_in(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The admin signs in through the site's sign-in (so a second factor is asked); staff
    without one are sent to set it up first; anyone else signed in is refused."""

    def login(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            target = request.GET.get("next") or reverse("admin:index")
            query = urlencode({"next": target})
            return HttpResponseRedirect(f"{resolve_url(settings.LOGIN_URL)}?{query}")
        if not (user.is_active and user.is_staff):
            raise PermissionDenied("The admin is for staff.")
        if not is_mfa_enabled(user, types=SECOND_FACTORS):
            messages.warning(
                request, "The admin requires two-factor sign-in: set it up, then open it again."
            )
            return redirect("mfa_index")
        return view(request, *args, **kwargs)

    return login
