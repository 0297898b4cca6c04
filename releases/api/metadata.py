"""REST API of release metadata: releases (with readiness), tracks (with ISRC allocation and
splits), credits."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from lxml import etree
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import ScopedFileField, ScopedPrimaryKeyRelatedField, refused
from core.errors import Unavailable
from projects.api.access import ProjectRolePermission, require_capability, require_write_on_parent
from projects.models import Project
from projects.permissions import Capability, people_visible, projects_visible
from releases import ddex, services
from releases.api.delivery import DeliveryActions, MasterActions
from releases.artwork import FORMATS
from releases.models import Artwork, Credit, Release, Split, Track
from releases.selectors import release_readiness, releases_visible, tracks_visible
from songs.selectors import songs_visible


class ReleaseScopedViewSet(viewsets.ModelViewSet):
    """Seen by the project's members; written by roles that manage releases."""

    permission_classes = [IsAuthenticated, ProjectRolePermission]
    write_capability = Capability.RELEASES_MANAGE
    action_capabilities: dict[str, Capability] = {}


class ReleaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Release
        exclude = ["created_at"]
        validators: list[Any] = []

    def validate_project(self, project: Project) -> Project:
        return require_write_on_parent(
            self,
            project,
            field="project",
            project=project,
            capability=Capability.RELEASES_MANAGE,
            stays="A release stays with its project.",
        )


class FindingSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=["blocking", "warning"])
    code = serializers.CharField()
    message = serializers.CharField()
    track = serializers.IntegerField(allow_null=True)


class ReadinessSerializer(serializers.Serializer):
    ready = serializers.BooleanField()
    findings = FindingSerializer(many=True)


class ArtworkUpload(serializers.Serializer):
    image = serializers.FileField()


class ArtworkSerializer(serializers.ModelSerializer):
    image = ScopedFileField(view_name="release-artwork-image", lookup="release_id", read_only=True)
    thumbnail = ScopedFileField(
        view_name="release-artwork-thumbnail", lookup="release_id", read_only=True
    )

    class Meta:
        model = Artwork
        fields = ["format", "width", "height", "warnings", "image", "thumbnail", "uploaded_at"]


class ImportRequest(serializers.Serializer):
    project = serializers.PrimaryKeyRelatedField(queryset=Project.objects.all())
    message = serializers.FileField(help_text="An ERN 4.3 NewReleaseMessage (XML).")

    def validate_project(self, project: Project) -> Project:
        require_capability(self.context["request"].user, project, Capability.RELEASES_MANAGE)
        return project

    def validate_message(self, message: Any) -> Any:
        if message.size > 20 * 1024 * 1024:
            raise serializers.ValidationError("A DDEX message is at most 20 MB.")
        return message


class ReleaseViewSet(DeliveryActions, ReleaseScopedViewSet):
    serializer_class = ReleaseSerializer
    filterset_fields = ["project", "type"]
    search_fields = ["title", "display_artist", "catalog_number", "upc"]

    def get_queryset(self) -> QuerySet[Release]:
        return Release.objects.filter(project__in=projects_visible(self.request.user))

    def project_of(self, obj: Release) -> Project:
        return obj.project

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        serializer.instance = services.release_save(**serializer.validated_data)

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        release = cast(Release, serializer.instance)
        serializer.instance = services.release_save(release=release, **serializer.validated_data)

    def perform_destroy(self, instance: Release) -> None:
        services.release_delete(release=instance)

    @extend_schema(
        responses={
            (200, "application/xml"): OpenApiTypes.STR,
            400: refused("Not deliverable yet, or the message fails DDEX's schema: under `ddex`."),
        }
    )
    @action(detail=True, methods=["get"])
    def ddex(self, request: Request, pk: str | None = None) -> HttpResponse | Response:
        """The release as a DDEX ERN 4.3 NewReleaseMessage, validated against DDEX's schema."""
        release = self.get_object()
        missing = [f"track {t.position} has no ISRC" for t in release.tracks.all() if not t.isrc]
        if not release.upc:
            missing.insert(0, "the release has no UPC/EAN")
        if missing:
            raise serializers.ValidationError(
                {"ddex": [f"Not deliverable yet: {m}." for m in missing]}
            )
        try:
            document = ddex.new_release_message(release)
        except ddex.PartiesNotConfigured as error:
            # A 503 in the shape every 503 has (detail, code), as the schema documents it.
            raise Unavailable(str(error)) from error
        errors = ddex.validate(document)
        if errors:
            raise serializers.ValidationError({"ddex": errors[:10]})
        body = etree.tostring(document, xml_declaration=True, encoding="UTF-8", pretty_print=True)
        response = HttpResponse(body, content_type="application/xml")
        response["Content-Disposition"] = f'attachment; filename="release-{release.pk}-ern43.xml"'
        return response

    @extend_schema(request=ImportRequest, responses=ReleaseSerializer)
    @action(detail=False, methods=["post"], url_path="import-ddex")
    def import_ddex(self, request: Request) -> Response:
        """A draft release from an ERN 4.3 message: tracks, ISRCs, artists and credits, lines,
        dates and languages. What could not be kept as given (a barcode or ISRC failing its
        check) is left empty and listed in `import_warnings`."""
        body = ImportRequest(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        upload = body.validated_data["message"]
        try:
            parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
            document = etree.parse(upload, parser)
            parsed = ddex.parse_message(document)
        except (etree.ParseError, ValueError) as error:
            raise serializers.ValidationError({"message": [str(error)[:500]]}) from error
        release = services.release_import(project=body.validated_data["project"], parsed=parsed)
        return Response(self.get_serializer(release).data, status=201)

    @extend_schema(request={"multipart/form-data": ArtworkUpload}, responses=ArtworkSerializer)
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def artwork(self, request: Request, pk: str | None = None) -> Response:
        """Upload the cover: JPEG or PNG, square, RGB, at least 1400 px (3000 wanted)."""
        release = self.get_object()
        body = ArtworkUpload(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["image"]
        if upload.size > 30 * 1024 * 1024:
            raise serializers.ValidationError({"image": ["Cover art is at most 30 MB."]})
        try:
            artwork = services.artwork_set(
                release=release, data=upload.read(), filename=upload.name
            )
        except DjangoValidationError as error:
            raise serializers.ValidationError({"image": error.messages}) from error
        return Response(
            ArtworkSerializer(artwork, context=self.get_serializer_context()).data, status=201
        )

    def _artwork_file(self, *, thumbnail: bool) -> FileResponse:
        artwork = get_object_or_404(Artwork, release=self.get_object())
        if thumbnail:
            return FileResponse(artwork.thumbnail.open("rb"), content_type="image/jpeg")
        return FileResponse(
            artwork.image.open("rb"),
            content_type=FORMATS.get(artwork.format, "application/octet-stream"),
            filename=artwork.image.name.rsplit("/", 1)[-1],
        )

    @extend_schema(responses={(200, "image/*"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="artwork/image", url_name="artwork-image")
    def artwork_image(self, request: Request, pk: str | None = None) -> FileResponse:
        """The cover as uploaded (media are private: this is the way to it)."""
        return self._artwork_file(thumbnail=False)

    @extend_schema(responses={(200, "image/jpeg"): OpenApiTypes.BINARY})
    @action(
        detail=True, methods=["get"], url_path="artwork/thumbnail", url_name="artwork-thumbnail"
    )
    def artwork_thumbnail(self, request: Request, pk: str | None = None) -> FileResponse:
        """The cover's 600 px thumbnail."""
        return self._artwork_file(thumbnail=True)

    @extend_schema(responses=ReadinessSerializer)
    @action(detail=True, methods=["get"])
    def readiness(self, request: Request, pk: str | None = None) -> Response:
        """Every rule a distributor rejects on: blocking findings stop a delivery."""
        findings = release_readiness(release=self.get_object())
        ready = not any(f.level == "blocking" for f in findings)
        body = {"ready": ready, "findings": [asdict(f) for f in findings]}
        return Response(ReadinessSerializer(body).data)


class TrackSerializer(serializers.ModelSerializer):
    serializer_related_field = ScopedPrimaryKeyRelatedField
    # Room for the separators people type (DE-A12-26-00001); the service stores the compact form.
    isrc = serializers.CharField(max_length=20, required=False, allow_blank=True)
    iswc = serializers.CharField(max_length=20, required=False, allow_blank=True)

    class Meta:
        model = Track
        fields = "__all__"
        validators: list[Any] = []
        extra_kwargs = {"release": {"scope": releases_visible}, "song": {"scope": songs_visible}}

    def validate_release(self, release: Release) -> Release:
        return require_write_on_parent(
            self,
            release,
            field="release",
            project=release.project,
            capability=Capability.RELEASES_MANAGE,
            stays="A track stays on its release.",
        )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        release = attrs.get("release", getattr(self.instance, "release", None))
        disc = attrs.get("disc", getattr(self.instance, "disc", 1))
        position: int = attrs.get("position", getattr(self.instance, "position", 0))
        taken = Track.objects.filter(release=release, disc=disc, position=position)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if release is not None and taken.exists():
            raise serializers.ValidationError(
                {"position": f"Disc {disc} already has a track {position}."}
            )
        return attrs


class AllocateRequest(serializers.Serializer):
    """A registrant prefix, or nothing: the prefix kept for the release's label or studio."""

    country = serializers.CharField(min_length=2, max_length=2, required=False)
    registrant = serializers.CharField(min_length=3, max_length=3, required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("country" in attrs) != ("registrant" in attrs):
            raise serializers.ValidationError(
                {"registrant": "Give country and registrant together, or neither."}
            )
        return attrs


class ShareSerializer(serializers.Serializer):
    party = serializers.CharField(max_length=200)
    share = serializers.DecimalField(max_digits=5, decimal_places=2)


class SplitsRequest(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Split.Kind.choices)
    shares = ShareSerializer(many=True)


class SplitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Split
        fields = ["id", "kind", "party", "person", "share"]


class TrackViewSet(MasterActions, ReleaseScopedViewSet):
    serializer_class = TrackSerializer
    filterset_fields = ["release", "isrc", "explicit"]
    search_fields = ["title", "isrc"]
    action_capabilities = {
        "allocate_isrc": Capability.RELEASES_MANAGE,
        "splits": Capability.RELEASES_MANAGE,
        "master": Capability.RELEASES_MANAGE,
    }

    def get_queryset(self) -> QuerySet[Track]:
        return Track.objects.filter(
            release__project__in=projects_visible(self.request.user)
        ).select_related("release")

    def project_of(self, obj: Track) -> Project:
        return obj.release.project

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        serializer.instance = services.track_save(**serializer.validated_data)

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        track = cast(Track, serializer.instance)
        serializer.instance = services.track_save(track=track, **serializer.validated_data)

    def perform_destroy(self, instance: Track) -> None:
        services.track_delete(track=instance)

    @extend_schema(request=AllocateRequest, responses=TrackSerializer)
    @action(detail=True, methods=["post"], url_path="allocate-isrc")
    def allocate_isrc(self, request: Request, pk: str | None = None) -> Response:
        """The next ISRC of a registrant prefix for this year: the one given, or the one kept
        for the release's label or studio."""
        track = self.get_object()
        body = AllocateRequest(data=request.data)
        body.is_valid(raise_exception=True)
        if body.validated_data:
            track = services.isrc_allocate(track=track, **body.validated_data)
        else:
            track = services.isrc_allocate_from_prefix(track=track)
        return Response(self.get_serializer(track).data)

    @extend_schema(request=SplitsRequest, responses=SplitSerializer(many=True))
    @action(detail=True, methods=["post"])
    def splits(self, request: Request, pk: str | None = None) -> Response:
        """Replace the writer or publisher shares; they sum to exactly 100 %."""
        track = self.get_object()
        body = SplitsRequest(data=request.data)
        body.is_valid(raise_exception=True)
        created = services.splits_set(track=track, **body.validated_data)
        return Response(SplitSerializer(created, many=True).data)


class CreditSerializer(serializers.ModelSerializer):
    serializer_related_field = ScopedPrimaryKeyRelatedField

    class Meta:
        model = Credit
        fields = ["id", "release", "track", "person", "role", "instrument"]
        validators: list[Any] = []
        extra_kwargs = {
            "release": {"scope": releases_visible},
            "track": {"scope": tracks_visible},
            "person": {"scope": people_visible},
        }

    def validate_release(self, release: Release) -> Release:
        return require_write_on_parent(
            self,
            release,
            field="release",
            project=release.project,
            capability=Capability.RELEASES_MANAGE,
        )


class CreditViewSet(ReleaseScopedViewSet):
    serializer_class = CreditSerializer
    filterset_fields = ["release", "track", "person", "role"]

    def get_queryset(self) -> QuerySet[Credit]:
        return Credit.objects.filter(
            release__project__in=projects_visible(self.request.user)
        ).select_related("release")

    def project_of(self, obj: Credit) -> Project:
        return obj.release.project

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        serializer.instance = services.credit_save(**serializer.validated_data)

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        credit = cast(Credit, serializer.instance)
        serializer.instance = services.credit_save(credit=credit, **serializer.validated_data)

    def perform_destroy(self, instance: Credit) -> None:
        services.credit_delete(credit=instance)
