"""Sessions, and what hangs off them: takes and gear checks."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request

from core.api import AwareDateTimeField, ScopedPrimaryKeyRelatedField, request_user
from core.intervals import END_AFTER_START, ends_after_start
from projects.api.access import ProjectRolePermission, require_write_on_parent
from projects.models import Project
from projects.permissions import Capability, projects_visible
from sessions import pdf, services
from sessions.api.common import pdf_response
from sessions.models import GearCheck, Session, Take
from sessions.selectors import session_sheet, sessions_visible
from songs.api.songs import parts_visible, songs_visible
from songs.models import Part, Song
from studio.models import Gear
from studio.permissions import bookings_visible, gear_visible, rooms_visible

# --- sessions ---------------------------------------------------------------------------------


class SessionSerializer(serializers.ModelSerializer):
    serializer_related_field = ScopedPrimaryKeyRelatedField
    start = AwareDateTimeField(required=False)
    end = AwareDateTimeField(required=False)

    class Meta:
        model = Session
        fields = [
            "id",
            "project",
            "booking",
            "room",
            "title",
            "start",
            "end",
            "status",
            "notes",
            "songs",
        ]
        extra_kwargs = {
            "booking": {"scope": bookings_visible},
            "room": {"scope": rooms_visible},
            "songs": {"scope": songs_visible, "required": False},
        }

    def validate_project(self, project: Project) -> Project:
        return require_write_on_parent(
            self,
            project,
            field="project",
            project=project,
            capability=Capability.SESSIONS_MANAGE,
            stays="A session stays with its project.",
        )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start = attrs.get("start", getattr(self.instance, "start", None))
        end = attrs.get("end", getattr(self.instance, "end", None))
        if start and end and not ends_after_start(start=start, end=end):
            raise serializers.ValidationError({"end": END_AFTER_START})
        return attrs


class SessionViewSet(viewsets.ModelViewSet):
    serializer_class = SessionSerializer
    permission_classes = [IsAuthenticated, ProjectRolePermission]
    filterset_fields = ["project", "booking", "room", "status"]
    search_fields = ["title", "notes"]
    ordering_fields = ["start", "title"]
    write_capability = Capability.SESSIONS_MANAGE
    action_capabilities: dict[str, Capability] = {}

    def get_queryset(self) -> QuerySet[Session]:
        return Session.objects.filter(
            project__in=projects_visible(self.request.user)
        ).prefetch_related("songs")

    def project_of(self, obj: Session) -> Project:
        return obj.project

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        serializer.instance = services.session_create(**serializer.validated_data)

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        session = cast(Session, serializer.instance)
        changes = dict(serializer.validated_data)
        changes.pop("project", None)  # validated to be the same: a session stays with it
        serializer.instance = services.session_update(session=session, **changes)

    def perform_destroy(self, instance: Session) -> None:
        services.session_delete(session=instance)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def report(self, request: Request, pk: str | None = None) -> HttpResponse:
        """The session report as a PDF: players, times, instruments, songs recorded."""
        session = self.get_object()
        sheet = session_sheet(session=session)
        body = pdf.session_report(session, sheet.engagements, sheet.takes)
        return pdf_response(body, f"session-{session.pk}-report.pdf")


# --- takes and gear checks --------------------------------------------------------------------


class OnSessionSerializer(serializers.ModelSerializer):
    """A record that hangs off a session of the caller's projects (and stays on it)."""

    serializer_related_field = ScopedPrimaryKeyRelatedField
    session = ScopedPrimaryKeyRelatedField(queryset=Session.objects.all(), scope=sessions_visible)

    def validate_session(self, session: Session) -> Session:
        return require_write_on_parent(
            self,
            session,
            field="session",
            project=session.project,
            capability=Capability.SESSIONS_MANAGE,
            stays="It stays on its session: record a new one.",
        )


class OnSessionViewSet(viewsets.ModelViewSet):
    """Scoped through the session's project; written by roles that run sessions."""

    permission_classes = [IsAuthenticated, ProjectRolePermission]
    write_capability = Capability.SESSIONS_MANAGE
    action_capabilities: dict[str, Capability] = {}
    related: tuple[str, ...] = ("session",)

    def get_queryset(self) -> QuerySet[Any]:
        model = self.get_serializer_class().Meta.model  # type: ignore[attr-defined]
        return model.objects.filter(
            session__project__in=projects_visible(self.request.user)
        ).select_related(*self.related)

    def project_of(self, obj: Any) -> Project:
        return cast(Project, obj.session.project)


class TakeSerializer(OnSessionSerializer):
    song = ScopedPrimaryKeyRelatedField(
        queryset=Song.objects.all(),
        scope=songs_visible,
        required=False,
        allow_null=True,
        help_text="The board song's id. Leave it out and give song_name to find the project's "
        "song of that title (or create it, in tracking).",
    )
    song_name = serializers.CharField(
        max_length=200,
        required=False,
        help_text="The name the take is logged under; with a song it is that song's title.",
    )
    part = ScopedPrimaryKeyRelatedField(
        queryset=Part.objects.all(),
        scope=parts_visible,
        required=False,
        allow_null=True,
        help_text="The tracking sheet's part it recorded; a keeper marks that cell recorded.",
    )
    number = serializers.IntegerField(min_value=1, max_value=2_147_483_647, required=False)
    rating = serializers.IntegerField(min_value=0, max_value=5, required=False, allow_null=True)
    recorded_at = AwareDateTimeField(required=False, allow_null=True)

    class Meta:
        model = Take
        fields = [
            "id",
            "session",
            "song",
            "song_name",
            "part",
            "number",
            "recorded_at",
            "notes",
            "rating",
            "keeper",
        ]
        validators: list[Any] = []


class TakeViewSet(OnSessionViewSet):
    serializer_class = TakeSerializer
    filterset_fields = ["session", "song", "song_name", "part", "keeper"]

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        serializer.instance = services.take_create(
            by=request_user(self.request), **serializer.validated_data
        )

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        take = cast(Take, serializer.instance)
        changes = dict(serializer.validated_data)
        changes.pop("session", None)  # validated to be the same: a take stays on it
        serializer.instance = services.take_update(
            take=take, by=request_user(self.request), **changes
        )

    def perform_destroy(self, instance: Take) -> None:
        services.take_delete(take=instance)


class GearCheckSerializer(OnSessionSerializer):
    class Meta:
        model = GearCheck
        fields = ["id", "session", "gear", "result", "note", "checked_at"]
        read_only_fields = ["checked_at"]
        # A check says how the item was: the model's default is for rows, not for the caller.
        extra_kwargs = {"result": {"required": True}, "gear": {"scope": gear_visible}}
        validators: list[Any] = []

    def validate_gear(self, gear: Gear) -> Gear:
        # A check is of one item: another item is another check, not an edit of this one.
        if self.instance is not None and gear != self.instance.gear:
            raise serializers.ValidationError("A check stays with its gear: record a new one.")
        return gear


class GearCheckViewSet(OnSessionViewSet):
    """The room's gear checked for a session; a fault sends the item to service."""

    serializer_class = GearCheckSerializer
    filterset_fields = ["session", "gear", "result"]
    related = ("session", "gear")

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        serializer.instance = services.gear_check_record(**serializer.validated_data)

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        check = cast(GearCheck, serializer.instance)
        data: dict[str, Any] = {
            "session": check.session,
            "gear": check.gear,
            "result": check.result,
            "note": check.note,
        }
        data.update(serializer.validated_data)
        serializer.instance = services.gear_check_record(**data)

    def perform_destroy(self, instance: GearCheck) -> None:
        services.gear_check_delete(check=instance)
