"""The pages of projects: the list, a new project, its hub (the panels the apps register,
projects.hub) and its edit page; the API token page of the account."""

from __future__ import annotations

from typing import Any

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
from projects.forms import MembershipForm, ProjectForm
from projects.hooks import links
from projects.hub import hub_panels
from projects.models import Person, Project
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
    names = ("title", "artist", "client", "currency", "status", "start_date", "due_date", "notes")
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
    """The project hub: members and people of the production, then the panels the apps
    register (projects.hub: schedule, money, releases), each for the roles it names."""
    project = get_object_or_404(projects_visible(request.user), pk=pk)
    my_role = role_on(request.user, project)
    capabilities = {c for c, roles in ROLE_MATRIX.items() if my_role in roles}
    may_manage_members = Capability.MEMBERS_MANAGE in capabilities
    form = MembershipForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if not may_manage_members:
            raise PermissionDenied("Your role may not add members.")
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
    context = {
        "project": project,
        "my_role": my_role,
        "members": project.memberships.select_related("user__person").order_by("role", "id"),
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
        "form": form,
    }
    return render(request, "projects/project_detail.html", context)


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
