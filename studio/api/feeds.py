"""REST API of calendar feeds: the caller's secret feed addresses."""

from __future__ import annotations

from typing import Any, cast

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import request_user
from studio import services
from studio.models import FeedToken
from studio.permissions import calendar_targets


class FeedTokenSerializer(serializers.ModelSerializer):
    target = serializers.IntegerField(
        write_only=True, help_text="Id of the person, room, studio or project the feed shows."
    )
    target_id = serializers.SerializerMethodField()
    target_name = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField(help_text="Subscribe to this in a calendar app.")

    class Meta:
        model = FeedToken
        fields = [
            "id",
            "kind",
            "target",
            "target_id",
            "target_name",
            "url",
            "created_at",
            "revoked_at",
        ]
        read_only_fields = ["created_at", "revoked_at"]

    def get_target_id(self, feed: FeedToken) -> int | None:
        target = feed.target
        return target.pk if target is not None else None

    def get_target_name(self, feed: FeedToken) -> str:
        return str(feed.target)

    def get_url(self, feed: FeedToken) -> str | None:
        if feed.revoked_at is not None:
            return None
        path = reverse("feed", kwargs={"token": feed.token})
        return cast(str, self.context["request"].build_absolute_uri(path))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        visible = calendar_targets(self.context["request"].user)[attrs["kind"]]
        target = visible.filter(pk=attrs["target"]).first()
        if target is None:
            raise serializers.ValidationError(
                {"target": f"No {attrs['kind']} with id {attrs['target']} that you can see."}
            )
        attrs["target"] = target
        return attrs


class FeedTokenViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Your calendar feeds. Deleting one revokes it; `rotate` gives it a new secret address."""

    serializer_class = FeedTokenSerializer
    filterset_fields = ["kind"]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return FeedToken.objects.none()
        return FeedToken.objects.filter(owner=request_user(self.request)).select_related(
            "person", "room__studio", "studio", "project"
        )

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        serializer.instance = services.feed_token_create(
            owner=request_user(self.request), target=serializer.validated_data["target"]
        )

    def perform_destroy(self, instance: FeedToken) -> None:
        services.feed_token_revoke(feed=instance)

    @extend_schema(request=None, responses=FeedTokenSerializer)
    @action(detail=True, methods=["post"])
    def rotate(self, request: Request, pk: str | None = None) -> Response:
        feed = services.feed_token_rotate(feed=self.get_object())
        return Response(self.get_serializer(feed).data)
