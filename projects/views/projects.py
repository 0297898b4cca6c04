"""The pages of projects: the list, a new project, its hub (the panels the apps register,
projects.hub) and its edit page; the API token page of the account."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from core.api import request_user
from core.pages import form_refusal
from projects import services
from projects.forms import InvitationForm, MembershipForm, ProjectForm
from projects.hooks import links
from projects.hub import hub_panels
from projects.models import Person, PersonCard, Project
from projects.permissions import (
    ROLE_MATRIX,
    Capability,
    has_capability,
    projects_visible,
    role_on,
    sees_pay,
)
from projects.selectors import project_list_for
from projects.views import agenda as views_agenda


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Today: the agenda of the sections the apps register (projects.views.agenda)."""
    return views_agenda.agenda(request)


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    projects = project_list_for(user=request.user)
    query = request.GET.get("q", "").strip()
    if query:
        projects = projects.filter(
            Q(title__icontains=query) | Q(artist__icontains=query) | Q(client__icontains=query)
        )
    status = request.GET.get("status", "")
    if status in Project.Status.values:
        projects = projects.filter(status=status)
    page = Paginator(projects, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "projects/project_list.html",
        {"page": page, "query": query, "status": status, "statuses": Project.Status.choices},
    )


def _project_details(data: dict[str, Any]) -> dict[str, Any]:
    """What project_create and project_update take, from the project form."""
    names = (
        "title",
        "artist",
        "client",
        "currency",
        "status",
        "start_date",
        "due_date",
        "notes",
        "require_two_factor",
    )
    chosen = {link.name: list(data[link.name]) for link in links()}
    return {**{name: data[name] for name in names}, "links": chosen}


@login_required
def project_create(request: HttpRequest) -> HttpResponse:
    form = ProjectForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            project = services.project_create(
                by=request_user(request),
                **_project_details(data),
            )
        except ValidationError as error:
            form_refusal(form, error)
        else:
            messages.success(request, f"Created {project}. You are its producer.")
            return redirect("project-detail", pk=project.pk)
    return render(request, "projects/project_form.html", {"form": form, "project": None})


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The project hub; a POST adds a member by username (someone the caller works with)."""
    project = get_object_or_404(projects_visible(request.user), pk=pk)
    if request.method != "POST":
        return hub(request, project)
    if not has_capability(request.user, project, Capability.MEMBERS_MANAGE):
        raise PermissionDenied("Your role may not add members.")
    form = MembershipForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.membership_add(
                project=project,
                user=form.cleaned_data["user"],
                role=form.cleaned_data["role"],
                by=request_user(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        except PermissionDenied as refusal:
            # A role above the caller's own: said beside the role they picked.
            form.add_error("role", str(refusal))
        else:
            messages.success(request, f"Added {form.cleaned_data['user']}.")
            return redirect("project-detail", pk=project.pk)
    return hub(request, project, member_form=form, status=400)


def hub(
    request: HttpRequest,
    project: Project,
    *,
    member_form: MembershipForm | None = None,
    invite_form: InvitationForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The project hub: members, their invitations and the production's people, then the
    panels the apps register (projects.hub: schedule, money, releases), each for the roles it
    names. ``?invite=<person>`` fills the invitation form from that contact's card."""
    my_role = role_on(request.user, project)
    capabilities = {c for c, roles in ROLE_MATRIX.items() if my_role in roles}
    may_manage_members = Capability.MEMBERS_MANAGE in capabilities
    if invite_form is None and may_manage_members:
        invite_form = InvitationForm(initial=_invite_initial(request, project), project=project)
    context = {
        "project": project,
        "my_role": my_role,
        "members": project.memberships.select_related("user__person").order_by("role", "id"),
        "invitations": (
            project.invitations.select_related("invited_by__person", "accepted_by")[:25]
            if may_manage_members
            else []
        ),
        # Filter, then annotate: the details come from this project's card, the same join.
        "people": Person.objects.filter(cards__project=project).annotate(
            email=F("cards__email"), instruments=F("cards__instruments")
        ),
        "studios": project.studios.all(),
        "panels": hub_panels(project=project, user=request.user, capabilities=capabilities),
        "may_change": Capability.PROJECT_CHANGE in capabilities,
        "may_see_pay": sees_pay(my_role),
        "may_manage_people": Capability.PEOPLE_MANAGE in capabilities,
        "may_manage_members": may_manage_members,
        "form": member_form or MembershipForm(user=request.user),
        "invite_form": invite_form,
        "invitation_days": settings.INVITATION_DAYS,
    }
    return render(request, "projects/project_detail.html", context, status=status)


def _invite_initial(request: HttpRequest, project: Project) -> dict[str, Any]:
    """The invitation form's start: empty, or a contact's address from their card here."""
    person_id = request.GET.get("invite", "")
    if not person_id.isdigit():
        return {}
    card = (
        PersonCard.objects.filter(project=project, person_id=int(person_id))
        .select_related("person")
        .first()
    )
    if card is None:
        return {}
    return {"email": card.email, "person": card.person_id}


@login_required
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(projects_visible(request.user), pk=pk)
    if not has_capability(request.user, project, Capability.PROJECT_CHANGE):
        raise PermissionDenied("Your role may not change this project.")
    form = ProjectForm(request.POST or None, instance=project, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.project_update(
                project=project,
                by=request_user(request),
                **_project_details(data),
            )
        except ValidationError as error:
            form_refusal(form, error)
        else:
            messages.success(request, "Saved.")
            return redirect("project-detail", pk=project.pk)
    return render(request, "projects/project_form.html", {"form": form, "project": project})


@login_required
def api_token(request: HttpRequest) -> HttpResponse:
    token = Token.objects.filter(user=request_user(request)).first()
    return render(request, "projects/api_token.html", {"token": token})


@login_required
@require_POST
def api_token_create(request: HttpRequest) -> HttpResponse:
    services.token_rotate(user=request_user(request))
    messages.success(request, "A new token was made. Scripts using the old one no longer work.")
    return redirect("api-token")


@login_required
@require_POST
def api_token_revoke(request: HttpRequest) -> HttpResponse:
    if services.token_revoke(user=request_user(request)):
        messages.success(request, "Token revoked.")
    return redirect("api-token")
