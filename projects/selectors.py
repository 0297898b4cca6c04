"""Reads of projects that cross models: the list a user sees, with their role on each."""

from __future__ import annotations

from django.db.models import Count, OuterRef, QuerySet, Subquery

from core.users import AnyUser
from projects.models import Membership, Project
from projects.permissions import projects_visible


def project_list_for(*, user: AnyUser) -> QuerySet[Project]:
    """The user's projects with their role on each and the member count, in one query."""
    my_role = Membership.objects.filter(project=OuterRef("pk"), user=user.pk).values("role")[:1]
    member_count = (
        Membership.objects.filter(project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(n=Count("id"))
        .values("n")
    )
    return projects_visible(user).annotate(
        my_role=Subquery(my_role), member_count=Subquery(member_count)
    )
