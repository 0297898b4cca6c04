"""REST API of meetings: pre-production meetings, listening sessions, calls (no room)."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import AwareDateTimeField, ScopedPrimaryKeyRelatedField, request_user
from core.filters import AwareDateTimeFilter, ScopedFilterSet
from core.users import AnyUser
from projects.api.access import ProjectRolePermission, require_write_on_parent
from projects.models import Meeting, Person, Project
from projects.permissions import Capability, people_visible, projects_visible
from projects.services.meetings import meeting_cancel, meeting_create, meeting_update


class MeetingSerializer(serializers.ModelSerializer):
    serializer_related_field = ScopedPrimaryKeyRelatedField
    start = AwareDateTimeField()
    end = AwareDateTimeField()
    people = ScopedPrimaryKeyRelatedField(
        many=True,
        required=False,
        queryset=Person.objects.none(),
        scope=people_visible,
        help_text="People invited; each must be on the meeting's project.",
    )

    class Meta:
        model = Meeting
        fields = [
            "id",
            "uid",
            "project",
            "title",
            "kind",
            "start",
            "end",
            "time_zone",
            "place",
            "link",
            "people",
            "notes",
            "sequence",
            "cancelled_at",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "uid",
            "sequence",
            "cancelled_at",
            "created_by",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"project": {"scope": projects_visible}}

    def validate_project(self, project: Project) -> Project:
        return require_write_on_parent(
            self,
            project,
            field="project",
            project=project,
            capability=Capability.SCHEDULE_MANAGE,
            stays="A meeting stays with its project.",
        )


class MeetingFilter(ScopedFilterSet):
    start_after = AwareDateTimeFilter(field_name="end", lookup_expr="gt")
    start_before = AwareDateTimeFilter(field_name="start", lookup_expr="lt")

    class Meta:
        model = Meeting
        fields = ["project", "kind"]


def meeting_queryset(user: AnyUser) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(project__in=projects_visible(user))
        .select_related("project")
        .prefetch_related("people")
    )


class MeetingViewSet(viewsets.ModelViewSet):
    """The meetings of your projects; members who schedule studio days may change them."""

    serializer_class = MeetingSerializer
    permission_classes = [IsAuthenticated, ProjectRolePermission]
    filterset_class = MeetingFilter
    search_fields = ["title", "place", "notes"]
    ordering_fields = ["start", "title", "created_at"]
    write_capability = Capability.SCHEDULE_MANAGE
    action_capabilities: dict[str, Capability] = {}
    # A meeting is cancelled, never deleted: the cancellation must reach calendars.
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self) -> Any:
        return meeting_queryset(self.request.user).order_by("start", "id")

    def project_of(self, obj: Meeting) -> Project:
        return obj.project

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        data = dict(serializer.validated_data)
        meeting = meeting_create(by=request_user(self.request), **data)
        serializer.instance = meeting_queryset(self.request.user).get(pk=meeting.pk)

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        meeting = cast(Meeting, serializer.instance)
        data = serializer.validated_data
        updated = meeting_update(
            meeting=meeting,
            title=data.get("title", meeting.title),
            kind=data.get("kind", meeting.kind),
            start=data.get("start", meeting.start),
            end=data.get("end", meeting.end),
            time_zone=data.get("time_zone", meeting.time_zone),
            place=data.get("place", meeting.place),
            link=data.get("link", meeting.link),
            people=data["people"] if "people" in data else list(meeting.people.all()),
            notes=data.get("notes", meeting.notes),
        )
        serializer.instance = meeting_queryset(self.request.user).get(pk=updated.pk)

    @extend_schema(request=None, responses=MeetingSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """Call the meeting off: it stays, cancelled, so calendars strike it."""
        meeting = meeting_cancel(meeting=self.get_object())
        return Response(self.get_serializer(meeting_queryset(request.user).get(pk=meeting.pk)).data)
