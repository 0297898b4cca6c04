"""Joining a production by invitation: the hub's invite, resend and withdraw, and the page an
invitation's link opens (projects.services.joining)."""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from core.api import request_user
from core.pages import form_refusal
from projects import services
from projects.accounts import INVITATION_KEY
from projects.forms import InvitationForm
from projects.models import Invitation
from projects.permissions import projects_visible
from projects.services.joining import invitation_from_token, inviter_name, refusal_of
from projects.views.projects import hub


@login_required
@require_POST
def invitation_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Invite an address from the hub. The answer is the same whether or not the address has
    an account here."""
    project = get_object_or_404(projects_visible(request.user), pk=pk)
    form = InvitationForm(request.POST, project=project)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.invitation_create(
                project=project,
                email=data["email"],
                role=data["role"],
                person=data["person"],
                by=request_user(request),
            )
        except PermissionDenied as refusal:
            form.add_error("role", str(refusal))
        except ValidationError as error:
            form_refusal(form, error)
        else:
            messages.success(
                request,
                f"Invitation sent to {data['email']}. The link works for "
                f"{settings.INVITATION_DAYS} days.",
            )
            return redirect(f"{reverse('project-detail', args=[project.pk])}#members")
    return hub(request, project, invite_form=form, status=400)


def _invitation(request: HttpRequest, pk: int, invitation_id: int) -> Invitation:
    project = get_object_or_404(projects_visible(request.user), pk=pk)
    return get_object_or_404(project.invitations.select_related("project"), pk=invitation_id)


def _back(project_id: int) -> HttpResponse:
    return redirect(f"{reverse('project-detail', args=[project_id])}#invitations")


@login_required
@require_POST
def invitation_resend(request: HttpRequest, pk: int, invitation_id: int) -> HttpResponse:
    invitation = _invitation(request, pk, invitation_id)
    try:
        services.invitation_resend(invitation=invitation, by=request_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"Sent again to {invitation.email}, with a new link; the old one no longer works.",
        )
    return _back(pk)


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, pk: int, invitation_id: int) -> HttpResponse:
    invitation = _invitation(request, pk, invitation_id)
    try:
        services.invitation_revoke(invitation=invitation, by=request_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Withdrew the invitation to {invitation.email}.")
    return _back(pk)


@require_http_methods(["GET", "POST"])
def invitation_open(request: HttpRequest, token: str) -> HttpResponse:
    """The invitation's link. Someone signed in joins with one button; anyone else makes an
    account (the link's address counts as verified) or signs in and comes back here. The page
    reads the same whether or not the address has an account."""
    invitation = invitation_from_token(token)
    if invitation is None:
        return render(
            request,
            "projects/invitation.html",
            {
                "refusal": "This link is not a working invitation: it may have been replaced by a "
                "newer mail. Open the link in the latest mail, or ask who invited you."
            },
            status=404,
        )
    refusal = refusal_of(invitation)
    if refusal is None and request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        try:
            membership = services.invitation_accept(
                invitation=invitation, user=request_user(request)
            )
        except ValidationError as error:
            refusal = " ".join(error.messages)
        else:
            request.session.pop(INVITATION_KEY, None)
            messages.success(
                request,
                f"You joined {invitation.project} as {membership.get_role_display().lower()}.",
            )
            return redirect("project-detail", pk=membership.project_id)
    if refusal is not None:
        return render(
            request,
            "projects/invitation.html",
            {"invitation": invitation, "refusal": refusal},
            status=410,
        )
    if not request.user.is_authenticated:
        # Sign-up (SIGNUP=invite) opens for this browser, with the address filled in and taken
        # as verified: the link came to it.
        request.session[INVITATION_KEY] = token
        get_adapter(request).stash_verified_email(request, invitation.email)
    context = {
        "invitation": invitation,
        "inviter": inviter_name(invitation),
        "signup_possible": settings.SIGNUP != "closed",
        "next": request.path,
    }
    return render(request, "projects/invitation.html", context)
