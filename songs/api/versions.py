"""REST API of song versions: uploads, approval, notes at a time, listen links and their plays.

Everything is scoped to the caller's projects (another project's row is a 404); writes need
the versions.* capability of the caller's role there (403)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.http import FileResponse, Http404
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import AUDIO_FILE, ScopedFileField, ScopedPrimaryKeyRelatedField, request_user
from projects.api.access import ProjectRolePermission, require_capability
from projects.models import Project
from projects.permissions import Capability
from songs import services
from songs.models import ListenLink, ListenPlay, Song, SongVersion, VersionKind, VersionNote
from songs.selectors import (
    listen_links_visible,
    notes_visible,
    songs_visible,
    versions_visible,
    with_open_notes,
)
from songs.services.versions import parse_time


class SongVersionSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True, help_text="e.g. Mix v3")  # type: ignore[assignment]
    duration = serializers.FloatField(read_only=True)
    project = serializers.IntegerField(source="song.project_id", read_only=True)
    open_notes = serializers.IntegerField(read_only=True)
    file = ScopedFileField(view_name="song-version-file", read_only=True)
    preview = ScopedFileField(view_name="song-version-preview", read_only=True)

    class Meta:
        model = SongVersion
        fields = [
            "id",
            "song",
            "project",
            "kind",
            "number",
            "label",
            "original_name",
            "format",
            "sample_rate",
            "bit_depth",
            "channels",
            "duration",
            "size",
            "sha256",
            "integrated_lufs",
            "true_peak_dbtp",
            "status",
            "status_message",
            "file",
            "preview",
            "open_notes",
            "uploaded_by",
            "uploaded_at",
            "approved_at",
            "approved_by",
        ]
        read_only_fields = fields


class SongVersionDetailSerializer(SongVersionSerializer):
    peaks = serializers.JSONField(read_only=True, help_text="[[min, max], ...] from -1 to 1.")

    class Meta(SongVersionSerializer.Meta):
        fields = [*SongVersionSerializer.Meta.fields, "peaks"]
        read_only_fields = fields


class SongVersionUpload(serializers.Serializer):
    song = ScopedPrimaryKeyRelatedField(queryset=Song.objects.none(), scope=songs_visible)
    kind = serializers.ChoiceField(choices=VersionKind.choices)
    file = serializers.FileField(help_text="WAV, FLAC or AIFF; decoded whole before it is kept.")


class ApproveRequest(serializers.Serializer):
    as_master = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Make it the master of the song's tracks (by default: if it is a master "
        "version; refused for any other kind).",
    )


class TimeField(serializers.Field):
    """Seconds as a number, or "m:ss" as people write it."""

    def to_internal_value(self, data: Any) -> Any:
        from django.core.exceptions import ValidationError

        try:
            return parse_time(data)
        except ValidationError as error:
            raise serializers.ValidationError(error.messages) from error

    def to_representation(self, value: Any) -> float:
        return float(value)


extend_schema_field({"type": "number", "example": 42.5, "description": "Seconds, or m:ss."})(
    TimeField
)


class VersionNoteSerializer(serializers.ModelSerializer):
    version = ScopedPrimaryKeyRelatedField(
        queryset=SongVersion.objects.none(), scope=versions_visible
    )
    at_seconds = TimeField()
    at = serializers.CharField(source="at_label", read_only=True, help_text="m:ss")
    by = serializers.CharField(source="by_name", read_only=True)
    resolved_in_label = serializers.CharField(
        source="resolved_in.label", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = VersionNote
        fields = [
            "id",
            "version",
            "at_seconds",
            "at",
            "body",
            "author",
            "guest_name",
            "by",
            "created_at",
            "resolved_at",
            "resolved_by",
            "resolved_in",
            "resolved_in_label",
        ]
        read_only_fields = [
            "author",
            "guest_name",
            "created_at",
            "resolved_at",
            "resolved_by",
            "resolved_in",
        ]


class ResolveRequest(serializers.Serializer):
    in_version = ScopedPrimaryKeyRelatedField(
        queryset=SongVersion.objects.none(),
        scope=versions_visible,
        required=False,
        help_text="Where it was fixed; the song's newest version by default.",
    )


class ListenPlaySerializer(serializers.ModelSerializer):
    class Meta:
        model = ListenPlay
        fields = ["at", "user_agent"]


class ListenLinkSerializer(serializers.ModelSerializer):
    version = ScopedPrimaryKeyRelatedField(
        queryset=SongVersion.objects.none(), scope=versions_visible
    )
    password = serializers.CharField(
        write_only=True, required=False, allow_blank=True, style={"input_type": "password"}
    )
    url = serializers.SerializerMethodField()
    has_password = serializers.BooleanField(read_only=True)
    play_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = ListenLink
        fields = [
            "id",
            "version",
            "label",
            "url",
            "expires_at",
            "revoked_at",
            "password",
            "has_password",
            "allow_download",
            "allow_notes",
            "play_count",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["revoked_at", "created_by", "created_at"]

    def get_url(self, link: ListenLink) -> str:
        """The address to send (it is the credential: share it only with its person)."""
        path = reverse("listen", args=[link.token])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class ListenLinkDetailSerializer(ListenLinkSerializer):
    plays = ListenPlaySerializer(many=True, read_only=True)

    class Meta(ListenLinkSerializer.Meta):
        fields = [*ListenLinkSerializer.Meta.fields, "plays"]


class SongVersionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[SongVersion]
):
    """Versions of your projects' songs, newest first. Upload with a multipart POST (song,
    kind, file); `approve` makes it final (a master approved becomes the tracks' master)."""

    permission_classes = [IsAuthenticated, ProjectRolePermission]
    filterset_fields = ["song", "song__project", "kind", "status"]
    write_capability = Capability.VERSIONS_UPLOAD
    action_capabilities = {"approve": Capability.VERSIONS_APPROVE}

    def get_queryset(self) -> QuerySet[SongVersion]:
        return (
            with_open_notes(versions_visible(self.request.user))
            .select_related("song")
            .order_by("-uploaded_at", "-id")
        )

    def get_serializer_class(self) -> Any:
        if self.action == "retrieve":
            return SongVersionDetailSerializer
        if self.action == "create":
            return SongVersionUpload
        return SongVersionSerializer

    def project_of(self, obj: SongVersion) -> Project:
        return obj.song.project

    def _fresh(self, version: SongVersion) -> Any:
        return SongVersionDetailSerializer(
            self.get_queryset().get(pk=version.pk), context=self.get_serializer_context()
        ).data

    @extend_schema(
        request={"multipart/form-data": SongVersionUpload},
        responses={201: SongVersionDetailSerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = SongVersionUpload(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        song = body.validated_data["song"]
        require_capability(request.user, song.project, Capability.VERSIONS_UPLOAD)
        version = services.version_upload(
            song=song,
            kind=body.validated_data["kind"],
            upload=body.validated_data["file"],
            by=request_user(request),
        )
        return Response(self._fresh(version), status=status.HTTP_201_CREATED)

    @extend_schema(request=ApproveRequest, responses=SongVersionDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """Approve the version, once (409 after). A master version becomes the master of the
        song's tracks; the song moves on (a mix to mastering, a master to done)."""
        version = self.get_object()
        body = ApproveRequest(data=request.data)
        body.is_valid(raise_exception=True)
        services.version_approve(
            version=version, by=request_user(request), as_master=body.validated_data["as_master"]
        )
        return Response(self._fresh(version))

    @extend_schema(request=None, responses=SongVersionDetailSerializer)
    @action(detail=True, methods=["post"])
    def analyse(self, request: Request, pk: str | None = None) -> Response:
        """Analyse again a version whose analysis failed (409 for one analysed or waiting)."""
        version = services.version_analysis_retry(version=self.get_object())
        return Response(self._fresh(version))

    @extend_schema(responses=AUDIO_FILE)
    @action(detail=True, methods=["get"], url_name="file")
    def file(self, request: Request, pk: str | None = None) -> FileResponse:
        """The version as uploaded."""
        version = self.get_object()
        return FileResponse(
            version.file.open("rb"), as_attachment=True, filename=download_name(version)
        )

    @extend_schema(responses={(200, "audio/mpeg"): {"type": "string", "format": "binary"}})
    @action(detail=True, methods=["get"], url_name="preview")
    def preview(self, request: Request, pk: str | None = None) -> FileResponse:
        """The streamable MP3 preview (404 until the analysis made it)."""
        version = self.get_object()
        if not version.preview:
            raise Http404("No preview yet.")
        return FileResponse(version.preview.open("rb"), content_type="audio/mpeg")


def download_name(version: SongVersion) -> str:
    """ "Paper Lanterns - Mix v3.wav": what the file is, whoever downloads it."""
    title = "".join(c for c in version.song.title if c.isalnum() or c in " -_()")[:80].strip()
    return f"{title or 'song'} - {version.label}.{version.format.lower()}"


class VersionNoteViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[VersionNote],
):
    """Notes at a time in your projects' versions; `resolve` marks one fixed."""

    serializer_class = VersionNoteSerializer
    permission_classes = [IsAuthenticated, ProjectRolePermission]
    filterset_fields = ["version", "version__song", "author"]
    write_capability = Capability.VERSIONS_NOTE
    action_capabilities: dict[str, Capability] = {}

    def get_queryset(self) -> QuerySet[VersionNote]:
        return (
            notes_visible(self.request.user)
            .select_related("version__song__project", "author", "resolved_in")
            .order_by("version_id", "at_seconds", "id")
        )

    def project_of(self, obj: VersionNote) -> Project:
        return obj.version.song.project

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        data = serializer.validated_data
        version = data["version"]
        require_capability(self.request.user, version.song.project, Capability.VERSIONS_NOTE)
        note = services.version_note_add(
            version=version,
            at_seconds=data["at_seconds"],
            body=data["body"],
            by=request_user(self.request),
        )
        serializer.instance = self.get_queryset().get(pk=note.pk)

    @extend_schema(request=ResolveRequest, responses=VersionNoteSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str | None = None) -> Response:
        """Mark the note fixed (in the song's newest version unless told which): by whoever
        uploads versions (they fixed it), or by the note's author."""
        note = self.get_object()
        if note.author_id != request.user.pk:
            require_capability(request.user, note.version.song.project, Capability.VERSIONS_UPLOAD)
        body = ResolveRequest(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        services.version_note_resolve(
            note=note, by=request_user(request), in_version=body.validated_data.get("in_version")
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=note.pk)).data)


class ListenLinkViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[ListenLink],
):
    """Listen links of your projects' versions, with their plays in the detail; `revoke`
    stops one (it answers 404 from then on)."""

    permission_classes = [IsAuthenticated, ProjectRolePermission]
    filterset_fields = ["version", "version__song"]
    write_capability = Capability.VERSIONS_SHARE
    action_capabilities: dict[str, Capability] = {}

    def get_queryset(self) -> QuerySet[ListenLink]:
        return (
            listen_links_visible(self.request.user)
            .select_related("version__song")
            .prefetch_related(Prefetch("plays", queryset=ListenPlay.objects.order_by("-at")))
            .annotate(play_count=Count("plays"))
            .order_by("-created_at", "-id")
        )

    def get_serializer_class(self) -> Any:
        return ListenLinkDetailSerializer if self.action == "retrieve" else ListenLinkSerializer

    def project_of(self, obj: ListenLink) -> Project:
        return obj.version.song.project

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        data = serializer.validated_data
        version = data["version"]
        require_capability(self.request.user, version.song.project, Capability.VERSIONS_SHARE)
        link = services.listen_link_create(
            version=version,
            label=data["label"],
            expires_at=data["expires_at"],
            password=data.get("password", ""),
            allow_download=data.get("allow_download", False),
            allow_notes=data.get("allow_notes", False),
            by=request_user(self.request),
        )
        serializer.instance = self.get_queryset().get(pk=link.pk)

    @extend_schema(request=None, responses=ListenLinkDetailSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str | None = None) -> Response:
        """Stop the link now (409 if it was revoked already)."""
        link = services.listen_link_revoke(link=self.get_object())
        return Response(
            ListenLinkDetailSerializer(
                self.get_queryset().get(pk=link.pk), context=self.get_serializer_context()
            ).data
        )
