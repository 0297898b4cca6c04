"""HTML pages of the ground floor: dashboard, projects, people, the API token."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import http_date, parse_http_date_safe
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from studio import feeds, services
from studio.api_base import request_user
from studio.forms import MembershipForm, ProjectForm
from studio.models import Person, Project
from studio.permissions import (
    Capability,
    has_capability,
    people_visible,
    projects_visible,
    role_on,
    studios_visible,
)
from studio.selectors import project_list_for


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    projects = project_list_for(user=request.user).exclude(status=Project.Status.ARCHIVED)[:12]
    studios = studios_visible(request.user).annotate(room_count=Count("rooms"))
    return render(request, "studio/dashboard.html", {"projects": projects, "studios": studios})


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
        "studio/project_list.html",
        {"page": page, "query": query, "status": status, "statuses": Project.Status.choices},
    )


@login_required
def project_create(request: HttpRequest) -> HttpResponse:
    form = ProjectForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        project = services.project_create(by=request_user(request), **data)
        messages.success(request, f"Created {project}. You are its producer.")
        return redirect("project-detail", pk=project.pk)
    return render(request, "studio/project_form.html", {"form": form, "project": None})


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(projects_visible(request.user), pk=pk)
    may_manage_members = has_capability(request.user, project, Capability.MEMBERS_MANAGE)
    form = MembershipForm(request.POST or None)
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
            else:
                messages.success(request, f"Added {form.cleaned_data['user']}.")
                return redirect("project-detail", pk=project.pk)
    context = {
        "project": project,
        "my_role": role_on(request.user, project),
        "members": project.memberships.select_related("user__person").order_by("role", "id"),
        "people": Person.objects.filter(projects=project),
        "studios": project.studios.all(),
        "may_change": has_capability(request.user, project, Capability.PROJECT_CHANGE),
        "may_manage_members": may_manage_members,
        "form": form,
    }
    return render(request, "studio/project_detail.html", context)


@login_required
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(projects_visible(request.user), pk=pk)
    if not has_capability(request.user, project, Capability.PROJECT_CHANGE):
        raise PermissionDenied("Your role may not change this project.")
    form = ProjectForm(request.POST or None, instance=project, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Saved.")
        return redirect("project-detail", pk=project.pk)
    return render(request, "studio/project_form.html", {"form": form, "project": project})


@login_required
def people_list(request: HttpRequest) -> HttpResponse:
    people = people_visible(request.user).prefetch_related("projects")
    query = request.GET.get("q", "").strip()
    if query:
        people = people.filter(
            Q(name__icontains=query) | Q(email__icontains=query) | Q(instruments__icontains=query)
        )
    visible_ids = set(projects_visible(request.user).values_list("id", flat=True))
    page = Paginator(people, 50).get_page(request.GET.get("page"))
    rows = [
        (person, [p for p in person.projects.all() if p.pk in visible_ids])
        for person in page.object_list
    ]
    return render(request, "studio/people_list.html", {"page": page, "rows": rows, "query": query})


@login_required
def api_token(request: HttpRequest) -> HttpResponse:
    token = Token.objects.filter(user=request_user(request)).first()
    return render(request, "studio/api_token.html", {"token": token})


@login_required
@require_POST
def api_token_create(request: HttpRequest) -> HttpResponse:
    # A new token replaces the old one: scripts holding the old key stop working at once.
    Token.objects.filter(user=request_user(request)).delete()
    Token.objects.create(user=request_user(request))
    messages.success(request, "A new token was made. Scripts using the old one no longer work.")
    return redirect("api-token")


@login_required
@require_POST
def api_token_revoke(request: HttpRequest) -> HttpResponse:
    deleted, _ = Token.objects.filter(user=request_user(request)).delete()
    if deleted:
        messages.success(request, "Token revoked.")
    return redirect("api-token")


def feed(request: HttpRequest, token: str) -> HttpResponse:
    """A calendar feed by its secret. A poll that names the current version gets a 304 before
    anything is built: two queries, the token and one aggregate."""
    subscription = feeds.feed_lookup(token)
    if subscription is None:
        raise Http404("No such feed.")
    bookings = feeds.feed_bookings(subscription)
    version = feeds.feed_version(subscription, bookings)
    headers = {
        "ETag": version.etag,
        "Last-Modified": http_date(version.last_modified.timestamp()),
        "Cache-Control": "private, max-age=300",
    }
    if_none_match = request.headers.get("If-None-Match")
    unchanged = (
        version.etag in [tag.strip() for tag in if_none_match.split(",")]
        if if_none_match
        else _not_modified_since(request, version.last_modified)
    )
    response: HttpResponse
    if unchanged:
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(
            feeds.build_feed(subscription, bookings), content_type="text/calendar; charset=utf-8"
        )
        response["Content-Disposition"] = 'inline; filename="tracksheet.ics"'
    for name, value in headers.items():
        response[name] = value
    return response


def _not_modified_since(request: HttpRequest, last_modified: datetime.datetime) -> bool:
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    return since is not None and int(last_modified.timestamp()) <= since
