"""REST API of the tracking sheet: a project's parts (its columns) and each song's status per
part (its cells, set by upsert: ``POST song-parts/`` with song, part and status)."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import ScopedPrimaryKeyRelatedField, request_user
from core.filters import ScopedFilterSet
from projects.api.access import ProjectRolePermission, require_capability, require_write_on_parent
from projects.models import Project
from projects.permissions import Capability, projects_visible
from songs import services
from songs.api.songs import parts_visible, songs_visible
from songs.models import Part, PartStatus, Song, SongPart


class PartSerializer(serializers.ModelSerializer):
    serializer_related_field = ScopedPrimaryKeyRelatedField

    class Meta:
        model = Part
        fields = ["id", "project", "name", "position"]
        read_only_fields = ["position"]
        extra_kwargs = {"project": {"scope": projects_visible}}
        validators: list[Any] = []  # the service says "already has a part" beside the name

    def validate_project(self, project: Project) -> Project:
        return require_write_on_parent(
            self,
            project,
            field="project",
            project=project,
            capability=Capability.SONGS_MANAGE,
            stays="A part stays with its project.",
        )


class PartMoveSerializer(serializers.Serializer):
    offset = serializers.IntegerField(
        min_value=-1000, max_value=1000, help_text="Places to move: negative left, positive right."
    )


class PartFilter(ScopedFilterSet):
    class Meta:
        model = Part
        fields = ["project"]


class PartViewSet(viewsets.ModelViewSet):
    """The tracking sheet's parts of your projects, in order. Removing a part whose cells say
    something (recorded, edited, complete, not needed) needs ``?confirm=true``."""

    serializer_class = PartSerializer
    permission_classes = [IsAuthenticated, ProjectRolePermission]
    filterset_class = PartFilter
    write_capability = Capability.SONGS_MANAGE
    action_capabilities: dict[str, Capability] = {}

    def get_queryset(self) -> QuerySet[Part]:
        return parts_visible(self.request.user).order_by("project_id", "position", "id")

    def project_of(self, obj: Part) -> Project:
        return obj.project

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        data = serializer.validated_data
        serializer.instance = services.part_create(project=data["project"], name=data["name"])

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        part = cast(Part, serializer.instance)
        name = serializer.validated_data.get("name", part.name)
        serializer.instance = services.part_rename(part=part, name=name)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "confirm", bool, description="Remove even when songs have a status for it."
            )
        ]
    )
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        part = self.get_object()
        confirmed = request.query_params.get("confirm", "").lower() in ("1", "true", "yes")
        services.part_delete(part=part, confirmed=confirmed)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=PartMoveSerializer, responses=PartSerializer(many=True))
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        """Move the part left or right on its sheet; answers the project's parts in order."""
        part = self.get_object()
        body = PartMoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        parts = services.part_move(part=part, offset=body.validated_data["offset"])
        return Response(PartSerializer(parts, many=True).data)


class SongPartSerializer(serializers.ModelSerializer):
    song = ScopedPrimaryKeyRelatedField(queryset=Song.objects.all(), scope=songs_visible)
    part = ScopedPrimaryKeyRelatedField(queryset=Part.objects.all(), scope=parts_visible)
    status = serializers.ChoiceField(choices=PartStatus.choices)

    class Meta:
        model = SongPart
        fields = ["id", "song", "part", "status", "updated_at"]
        read_only_fields = ["updated_at"]
        validators: list[Any] = []  # an upsert: the (song, part) pair may exist

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        song, part = attrs["song"], attrs["part"]
        if song.project_id != part.project_id:
            raise serializers.ValidationError({"part": "Not a part of this song's project."})
        require_capability(self.context["request"].user, song.project, Capability.SONGS_MANAGE)
        return attrs


class SongPartFilter(ScopedFilterSet):
    class Meta:
        model = SongPart
        fields = ["song", "part", "status"]


class SongPartViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """The tracking sheet's cells that were set (a missing cell is "not started"), filtered by
    ``project`` or ``song``; ``POST`` sets one cell (created or changed)."""

    serializer_class = SongPartSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = SongPartFilter

    def get_queryset(self) -> QuerySet[SongPart]:
        cells = SongPart.objects.filter(song__project__in=projects_visible(self.request.user))
        project = self.request.query_params.get("project")
        if project is not None:
            cells = (
                cells.filter(song__project_id=int(project)) if project.isdigit() else cells.none()
            )
        return cells.order_by("song_id", "part__position", "part_id")

    @extend_schema(
        parameters=[OpenApiParameter("project", int, description="Cells of this project.")]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        cell = services.song_part_set(
            song=data["song"], part=data["part"], status=data["status"], by=request_user(request)
        )
        return Response(self.get_serializer(cell).data, status=status.HTTP_200_OK)
