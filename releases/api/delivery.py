"""Delivery endpoints: masters of tracks, render jobs, deliverables and the release package."""

from __future__ import annotations

import tempfile

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import AUDIO_FILE, ScopedFileField, refused
from core.errors import Unavailable
from projects.api.access import ProjectRolePermission
from projects.models import Project
from projects.permissions import Capability, projects_visible
from releases import ddex, package, services
from releases.models import Deliverable, Master, RenderJob, RenderTask, Target
from releases.render import RendererUnavailable
from releases.services.rendering import safe_name


class MasterUpload(serializers.Serializer):
    file = serializers.FileField(help_text="WAV, FLAC or AIFF.")


class MasterSerializer(serializers.ModelSerializer):
    duration = serializers.FloatField(read_only=True)
    file = ScopedFileField(view_name="track-master-file", lookup="track_id", read_only=True)

    class Meta:
        model = Master
        # Named, in the order the answer has always had: the model's order now starts with
        # the fields it shares with song versions (songs.models.stored_audio).
        fields = [
            "duration",
            "file",
            "original_name",
            "format",
            "subtype",
            "sample_rate",
            "bit_depth",
            "is_float",
            "channels",
            "frames",
            "size",
            "sha256",
            "md5",
            "integrated_lufs",
            "true_peak_dbtp",
            "loudness_range_lu",
            "analysed_at",
            "uploaded_at",
            "track",
        ]


class RenderRequest(serializers.Serializer):
    targets = serializers.ListField(
        child=serializers.ChoiceField(choices=Target.choices),
        required=False,
        allow_empty=False,
        help_text="Defaults to the release's targets.",
    )


class RenderTaskSerializer(serializers.ModelSerializer):
    position = serializers.IntegerField(source="track.position", read_only=True)
    title = serializers.CharField(source="track.title", read_only=True)

    class Meta:
        model = RenderTask
        fields = ["track", "position", "title", "status", "message", "attempts", "finished_at"]


class RenderJobSerializer(serializers.ModelSerializer):
    done = serializers.SerializerMethodField()
    tasks = RenderTaskSerializer(many=True, read_only=True)

    class Meta:
        model = RenderJob
        fields = [
            "id",
            "release",
            "targets",
            "status",
            "total",
            "done",
            "log",
            "tasks",
            "created_at",
            "finished_at",
        ]

    def get_done(self, job: RenderJob) -> int:
        """Tracks finished (rendered, failed or cancelled) of `total`."""
        annotated = getattr(job, "finished_count", None)
        if annotated is not None:
            return int(annotated)
        return sum(1 for task in job.tasks.all() if task.status in RenderTask.FINAL)


class DeliverableSerializer(serializers.ModelSerializer):
    release = serializers.IntegerField(source="track.release_id", read_only=True)
    name = serializers.SerializerMethodField()
    file = ScopedFileField(view_name="deliverable-download", read_only=True)

    class Meta:
        model = Deliverable
        fields = [
            "id",
            "release",
            "track",
            "target",
            "name",
            "file",
            "size",
            "sha256",
            "md5",
            "sample_rate",
            "bit_depth",
            "bitrate",
            "rendered_at",
        ]

    def get_name(self, deliverable: Deliverable) -> str:
        return deliverable.file.name.rsplit("/", 1)[-1]


def renderer_missing(error: RendererUnavailable) -> Response:
    return Response({"detail": str(error)}, status=status.HTTP_503_SERVICE_UNAVAILABLE)


class MasterActions:
    """`tracks/{id}/master/`: upload (streamed to disk, probed) and read a track's master."""

    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": MasterUpload},
        responses={201: MasterSerializer},
    )
    @extend_schema(methods=["GET"], responses=MasterSerializer)
    @action(detail=True, methods=["get", "post"], parser_classes=[MultiPartParser])
    def master(self, request: Request, pk: str | None = None) -> Response:
        """The master: WAV, FLAC or AIFF, decoded whole before it is kept."""
        track = self.get_object()  # type: ignore[attr-defined]
        if request.method == "GET":
            found = Master.objects.filter(track=track).first()
            if found is None:
                return Response({"detail": "The track has no master."}, status=404)
            context = self.get_serializer_context()  # type: ignore[attr-defined]
            return Response(MasterSerializer(found, context=context).data)
        body = MasterUpload(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            master = services.master_upload(track=track, upload=body.validated_data["file"])
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from error
        master.refresh_from_db()
        context = self.get_serializer_context()  # type: ignore[attr-defined]
        return Response(MasterSerializer(master, context=context).data, status=201)

    @extend_schema(responses=AUDIO_FILE)
    @action(detail=True, methods=["get"], url_path="master/file", url_name="master-file")
    def master_file(self, request: Request, pk: str | None = None) -> FileResponse:
        """The master as uploaded (media are private: this is the way to it)."""
        master = get_object_or_404(Master, track=self.get_object())  # type: ignore[attr-defined]
        return FileResponse(
            master.file.open("rb"),
            as_attachment=True,
            filename=master.file.name.rsplit("/", 1)[-1],
        )


class DeliveryActions:
    """`releases/{id}/render/`, `package/` and `distributor-csv/`."""

    @extend_schema(request=RenderRequest, responses={202: RenderJobSerializer})
    @action(detail=True, methods=["post"])
    def render(self, request: Request, pk: str | None = None) -> Response:
        """Render every track into the release's targets (a task per track). While a job of
        the release runs, that job comes back (200) instead of a second one."""
        release = self.get_object()  # type: ignore[attr-defined]
        body = RenderRequest(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            job, created = services.release_render(
                release=release, by=request.user, targets=body.validated_data.get("targets")
            )
        except RendererUnavailable as error:
            return renderer_missing(error)
        job = RenderJob.objects.prefetch_related("tasks__track").get(pk=job.pk)
        code = status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK
        return Response(RenderJobSerializer(job).data, status=code)

    @extend_schema(
        responses={
            (200, "application/zip"): OpenApiTypes.BINARY,
            400: refused("Not deliverable yet: what is missing, under `package`."),
        }
    )
    @action(detail=True, methods=["get"])
    def package(self, request: Request, pk: str | None = None) -> FileResponse | Response:
        """The delivery zip: deliverables, cover, DDEX message (with the files' checksums),
        metadata JSON, the tracks CSV and checksum manifests."""
        release = self.get_object()  # type: ignore[attr-defined]
        states = package.deliverables_state(release)
        problems = package.package_problems(release, states)
        if problems:
            raise serializers.ValidationError({"package": problems})
        out = tempfile.TemporaryFile()  # FileResponse closes it
        try:
            package.package_write(release, out)
        except DjangoValidationError as error:
            out.close()
            raise serializers.ValidationError(error.message_dict) from error
        except ddex.PartiesNotConfigured as error:
            out.close()
            # A 503 in the shape every 503 has (detail, code), as the schema documents it.
            raise Unavailable(str(error)) from error
        out.seek(0)
        name = f"{release.upc}-{safe_name(release.title, limit=60)}.zip"
        return FileResponse(out, as_attachment=True, filename=name, content_type="application/zip")

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    @action(detail=True, methods=["get"], url_path="distributor-csv")
    def distributor_csv(self, request: Request, pk: str | None = None) -> HttpResponse:
        """One row per track, release fields repeated: the shape of distributors' bulk sheets."""
        release = self.get_object()  # type: ignore[attr-defined]
        response = HttpResponse(
            package.distributor_csv(release), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="release-{release.pk}.csv"'
        return response


class RenderJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Render jobs of the user's releases, with progress and log; `cancel` stops one."""

    serializer_class = RenderJobSerializer
    permission_classes = [IsAuthenticated, ProjectRolePermission]
    write_capability = Capability.RELEASES_MANAGE
    action_capabilities: dict[str, Capability] = {}
    filterset_fields = ["release", "status"]

    def get_queryset(self) -> QuerySet[RenderJob]:
        return (
            RenderJob.objects.filter(release__project__in=projects_visible(self.request.user))
            .select_related("release__project")
            .prefetch_related("tasks__track")
            .annotate(finished_count=Count("tasks", filter=Q(tasks__status__in=RenderTask.FINAL)))
            .order_by("-created_at", "-id")  # Meta.ordering does not apply with GROUP BY
        )

    def project_of(self, obj: RenderJob) -> Project:
        return obj.release.project

    @extend_schema(request=None, responses=RenderJobSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """Stop the job: queued tracks are skipped, running ones stop before the next format."""
        job = services.render_job_cancel(job=self.get_object())
        return Response(self.get_serializer(self.get_queryset().get(pk=job.pk)).data)


class DeliverableViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Rendered files of the user's releases; `download` gives the file."""

    serializer_class = DeliverableSerializer
    permission_classes = [IsAuthenticated, ProjectRolePermission]
    write_capability = Capability.RELEASES_MANAGE
    action_capabilities: dict[str, Capability] = {}
    filterset_fields = ["track", "track__release", "target"]

    def get_queryset(self) -> QuerySet[Deliverable]:
        return Deliverable.objects.filter(
            track__release__project__in=projects_visible(self.request.user)
        ).select_related("track")

    def project_of(self, obj: Deliverable) -> Project:
        return obj.track.release.project

    @extend_schema(responses=AUDIO_FILE)
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        deliverable = self.get_object()
        return FileResponse(
            deliverable.file.open("rb"),
            as_attachment=True,
            filename=deliverable.file.name.rsplit("/", 1)[-1],
        )
