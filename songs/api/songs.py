"""REST API of the song board: songs and their moves from stage to stage."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Count, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import ScopedPrimaryKeyRelatedField, request_user
from core.filters import ScopedFilterSet
from core.users import AnyUser
from projects.api.access import ProjectRolePermission, require_capability, require_write_on_parent
from projects.models import Person, Project
from projects.models.stages import STAGE_NAME_MAX
from projects.permissions import Capability, people_visible, projects_visible
from songs import services
from songs.models import Part, Song, SongStage
from songs.selectors import stage_labels
from songs.services.songs import project_song_stages_set


def songs_visible(user: AnyUser) -> QuerySet[Song]:
    """The songs of the user's projects (a scope for fields that name a song)."""
    return Song.objects.filter(project__in=projects_visible(user))


def parts_visible(user: AnyUser) -> QuerySet[Part]:
    """The tracking-sheet parts of the user's projects."""
    return Part.objects.filter(project__in=projects_visible(user))


class SongSerializer(serializers.ModelSerializer):
    serializer_related_field = ScopedPrimaryKeyRelatedField
    writers = ScopedPrimaryKeyRelatedField(
        many=True, required=False, queryset=Person.objects.none(), scope=people_visible
    )
    stage = serializers.ChoiceField(
        choices=SongStage.choices,
        required=False,
        help_text="On create only (pre_production by default); afterwards move the song with "
        "the move action, so that every move is recorded.",
    )
    take_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Song
        fields = [
            "id",
            "project",
            "title",
            "working_title",
            "key",
            "tempo",
            "writers",
            "notes",
            "stage",
            "due_date",
            "holder",
            "position",
            "take_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["position", "created_at", "updated_at"]
        extra_kwargs = {
            "project": {"scope": projects_visible},
            "holder": {"scope": people_visible},
        }

    def validate_project(self, project: Project) -> Project:
        return require_write_on_parent(
            self,
            project,
            field="project",
            project=project,
            capability=Capability.SONGS_MANAGE,
            stays="A song stays with its project.",
        )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None and "stage" in attrs and attrs["stage"] != self.instance.stage:
            raise serializers.ValidationError({"stage": "Use the move action."})
        return attrs


class SongMoveSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=SongStage.choices)


class SongFilter(ScopedFilterSet):
    class Meta:
        model = Song
        fields = ["project", "stage"]


def song_queryset(user: AnyUser) -> QuerySet[Song]:
    return (
        Song.objects.filter(project__in=projects_visible(user))
        .select_related("project")
        .prefetch_related("writers")
        .annotate(take_count=Count("takes"))
    )


class SongViewSet(viewsets.ModelViewSet):
    """The songs of your projects, each on its stage of the board."""

    serializer_class = SongSerializer
    permission_classes = [IsAuthenticated, ProjectRolePermission]
    filterset_class = SongFilter
    search_fields = ["title", "working_title", "notes"]
    ordering_fields = ["title", "due_date", "position", "created_at"]
    write_capability = Capability.SONGS_MANAGE
    action_capabilities: dict[str, Capability] = {}

    def get_queryset(self) -> Any:
        return song_queryset(self.request.user).order_by("project_id", "position", "id")

    def project_of(self, obj: Song) -> Project:
        return obj.project

    def _reloaded_with_counts(self, song: Song) -> Song:
        return song_queryset(self.request.user).get(pk=song.pk)

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        data = dict(serializer.validated_data)
        song = services.song_create(**data)
        serializer.instance = self._reloaded_with_counts(song)

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        song = cast(Song, serializer.instance)
        data = serializer.validated_data
        updated = services.song_update(
            song=song,
            title=data.get("title", song.title),
            working_title=data.get("working_title", song.working_title),
            key=data.get("key", song.key),
            tempo=data["tempo"] if "tempo" in data else song.tempo,
            writers=data["writers"] if "writers" in data else list(song.writers.all()),
            notes=data.get("notes", song.notes),
            due_date=data["due_date"] if "due_date" in data else song.due_date,
            holder=data["holder"] if "holder" in data else song.holder,
        )
        serializer.instance = self._reloaded_with_counts(updated)

    def perform_destroy(self, instance: Song) -> None:
        services.song_delete(song=instance)

    @extend_schema(request=SongMoveSerializer, responses=SongSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        """Move the song to another stage; the move is recorded (who, when, from, to)."""
        song = self.get_object()
        body = SongMoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.song_move(song=song, stage=body.validated_data["stage"], by=request_user(request))
        return Response(
            self.get_serializer(self._reloaded_with_counts(song)).data, status=status.HTTP_200_OK
        )


class SongStagesSerializer(serializers.Serializer):
    """A project's board stages: its own names and the stages it skips."""

    project = serializers.IntegerField(read_only=True, source="pk")
    names = serializers.DictField(
        child=serializers.CharField(max_length=STAGE_NAME_MAX, allow_blank=True),
        required=False,
        help_text='Stage to this board\'s name, e.g. {"mixing": "Mix"}; an empty name or the '
        "stage's own drops it.",
    )
    skipped = serializers.ListField(
        child=serializers.ChoiceField(choices=SongStage.choices),
        required=False,
        help_text='Stages without a column. Never "done", nor a stage holding songs.',
    )
    stages = serializers.SerializerMethodField()

    def get_stages(self, project: Project) -> list[dict[str, Any]]:
        skipped = set(project.skipped_song_stages or [])
        return [
            {"stage": value, "name": label, "skipped": value in skipped}
            for value, label in stage_labels(project).items()
        ]

    def to_representation(self, instance: Any) -> dict[str, Any]:
        project = cast(Project, instance)
        return {
            "project": project.pk,
            "names": project.song_stage_names or {},
            "skipped": project.skipped_song_stages or [],
            "stages": self.get_stages(project),
        }


class SongStagesViewSet(viewsets.GenericViewSet):
    """A project's board stages (``song-stages/{project id}/``): read by its members, set
    (renamed, skipped) by the roles that manage songs."""

    serializer_class = SongStagesSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> QuerySet[Project]:
        return projects_visible(self.request.user)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(self.get_serializer(self.get_object()).data)

    def update(self, request: Request, pk: str | None = None) -> Response:
        project = self.get_object()
        require_capability(request.user, project, Capability.SONGS_MANAGE)
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        project = project_song_stages_set(
            project=project,
            names=data.get("names", project.song_stage_names or {}),
            skipped=data.get("skipped", project.skipped_song_stages or []),
        )
        return Response(self.get_serializer(project).data)
