"""REST API of studios, their rooms (rate cards, availability) and gear."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, cast

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Field, Model, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import AwareDateTimeField, request_user
from core.intervals import END_AFTER_START, ends_after_start
from studio import services
from studio.api.access import StudioManagerPermission
from studio.models import (
    Booking,
    Gear,
    Room,
    Studio,
)
from studio.permissions import (
    studios_managed,
    studios_visible,
)
from studio.selectors import room_availability
from studio.services.studios import GEAR_FIELDS, ROOM_FIELDS

User = get_user_model()
MAX_AVAILABILITY_WINDOW = datetime.timedelta(days=93)


class StudioSerializer(serializers.ModelSerializer):
    managers: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", many=True, read_only=True
    )
    is_manager = serializers.SerializerMethodField()

    class Meta:
        model = Studio
        fields = [
            "id",
            "name",
            "address",
            "time_zone",
            "currency",
            "managers",
            "is_manager",
            "created_at",
        ]
        read_only_fields = ["created_at"]

    def get_is_manager(self, studio: Studio) -> bool:
        user_id = self.context["request"].user.pk
        return any(m.pk == user_id for m in studio.managers.all())


class StudioViewSet(viewsets.ModelViewSet):
    """Studios you manage or that your projects use. Creating one makes you its manager."""

    serializer_class = StudioSerializer
    permission_classes = [IsAuthenticated, StudioManagerPermission]
    filterset_fields = ["currency", "time_zone"]
    search_fields = ["name", "address"]
    ordering_fields = ["name", "created_at"]

    def get_queryset(self) -> QuerySet[Studio]:
        return studios_visible(self.request.user).prefetch_related("managers")

    def studio_of(self, obj: Studio) -> Studio:
        return obj

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        data = serializer.validated_data
        serializer.instance = services.studio_create(
            by=request_user(self.request),
            name=data["name"],
            address=data.get("address", ""),
            time_zone=data["time_zone"],
            currency=data.get("currency", "EUR"),
        )

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        studio = cast(Studio, serializer.instance)
        data = serializer.validated_data
        serializer.instance = services.studio_update(
            studio=studio,
            by=request_user(self.request),
            name=data.get("name", studio.name),
            address=data.get("address", studio.address),
            time_zone=data.get("time_zone", studio.time_zone),
            currency=data.get("currency", studio.currency),
            hold_hours=studio.hold_hours,
            challenge_hours=studio.challenge_hours,
            max_booking_hours=studio.max_booking_hours,
            cancellation_tiers=studio.cancellation_tiers,
        )

    def perform_destroy(self, instance: Studio) -> None:
        services.studio_delete(studio=instance, by=request_user(self.request))


def _require_managed_studio(user: Any, studio: Studio) -> None:
    if not studios_managed(user).filter(pk=studio.pk).exists():
        if studios_visible(user).filter(pk=studio.pk).exists():
            raise PermissionDenied("Only the studio's managers may change it.")
        raise serializers.ValidationError(
            {"studio": f'Invalid pk "{studio.pk}" - object does not exist.'}
        )


def _current(serializer: serializers.ModelSerializer, attrs: dict[str, Any], name: str) -> Any:
    """The value a field will have after this write: sent, kept, or the model's default."""
    if name in attrs:
        return attrs[name]
    if serializer.instance is not None:
        return getattr(serializer.instance, name)
    model: type[Model] = serializer.Meta.model
    field = model._meta.get_field(name)
    return field.get_default() if isinstance(field, Field) else None


class RoomSerializer(serializers.ModelSerializer):
    class Meta:
        model = Room
        # Uniqueness is checked in validate(), with a message on the field.
        validators: list[Any] = []
        fields = ["id", "studio", *ROOM_FIELDS]
        extra_kwargs = {
            "half_day_hours": {"min_value": Decimal("0.25"), "max_value": Decimal(24)},
            "day_hours": {"min_value": Decimal("0.25"), "max_value": Decimal(24)},
            "overtime_unit_minutes": {"min_value": 1, "max_value": 240},
            "overtime_multiplier": {"min_value": Decimal(1), "max_value": Decimal(10)},
        }

    def validate_studio(self, studio: Studio) -> Studio:
        if self.instance is not None and studio != self.instance.studio:
            raise serializers.ValidationError("A room cannot move to another studio.")
        _require_managed_studio(self.context["request"].user, studio)
        return studio

    def room_fields(self) -> dict[str, Any]:
        """Every rate-card field as it will be: sent, kept, or the model's default (the
        rules live in studio.services.studios)."""
        return {name: _current(self, self.validated_data, name) for name in ROOM_FIELDS}


class AvailabilityQuery(serializers.Serializer):
    start = AwareDateTimeField()
    end = AwareDateTimeField()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not ends_after_start(start=attrs["start"], end=attrs["end"]):
            raise serializers.ValidationError({"end": END_AFTER_START})
        if attrs["end"] - attrs["start"] > MAX_AVAILABILITY_WINDOW:
            raise serializers.ValidationError({"end": "Ask for at most 93 days at a time."})
        return attrs


class IntervalSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class BusySerializer(IntervalSerializer):
    status = serializers.ChoiceField(choices=Booking.Status.choices)
    booking = serializers.IntegerField(allow_null=True, help_text="Null for other projects.")
    project = serializers.IntegerField(allow_null=True)


class AvailabilitySerializer(serializers.Serializer):
    free = IntervalSerializer(many=True)
    busy = BusySerializer(many=True)


class RoomViewSet(viewsets.ModelViewSet):
    """Rooms and their rate cards."""

    serializer_class = RoomSerializer
    permission_classes = [IsAuthenticated, StudioManagerPermission]
    filterset_fields = ["studio", "is_active"]
    search_fields = ["name"]
    ordering_fields = ["name", "hourly_rate", "day_rate"]

    def get_queryset(self) -> QuerySet[Room]:
        return Room.objects.filter(studio__in=studios_visible(self.request.user)).select_related(
            "studio"
        )

    def studio_of(self, obj: Room) -> Studio:
        return obj.studio

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        card = cast(RoomSerializer, serializer).room_fields()
        serializer.instance = services.room_create(
            studio=serializer.validated_data["studio"],
            by=request_user(self.request),
            **card,
        )

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        card = cast(RoomSerializer, serializer).room_fields()
        serializer.instance = services.room_update(
            room=cast(Room, serializer.instance),
            by=request_user(self.request),
            **card,
        )

    def perform_destroy(self, instance: Room) -> None:
        services.room_delete(room=instance, by=request_user(self.request))

    @extend_schema(parameters=[AvailabilityQuery], responses=AvailabilitySerializer)
    @action(detail=True, methods=["get"])
    def availability(self, request: Request, pk: str | None = None) -> Response:
        """Free intervals of the room between ``start`` and ``end``, and the bookings between."""
        query = AvailabilityQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        result = room_availability(
            room=self.get_object(),
            start=query.validated_data["start"],
            end=query.validated_data["end"],
            user=request.user,
        )
        return Response(AvailabilitySerializer(result).data)


class GearSerializer(serializers.ModelSerializer):
    class Meta:
        model = Gear
        validators: list[Any] = []
        fields = ["id", "studio", *GEAR_FIELDS]

    def validate_studio(self, studio: Studio) -> Studio:
        if self.instance is not None and studio != self.instance.studio:
            raise serializers.ValidationError("Gear cannot move to another studio.")
        _require_managed_studio(self.context["request"].user, studio)
        return studio

    def gear_fields(self) -> dict[str, Any]:
        """Every field as it will be: sent, kept, or the model's default (the rules live in
        studio.services.studios)."""
        return {name: _current(self, self.validated_data, name) for name in GEAR_FIELDS}


class GearViewSet(viewsets.ModelViewSet):
    """A studio's inventory."""

    serializer_class = GearSerializer
    permission_classes = [IsAuthenticated, StudioManagerPermission]
    filterset_fields = ["studio", "room", "category", "status"]
    search_fields = ["name", "make", "model", "serial_number"]
    ordering_fields = ["name", "category", "day_rate"]

    def get_queryset(self) -> QuerySet[Gear]:
        return Gear.objects.filter(studio__in=studios_visible(self.request.user)).select_related(
            "studio"
        )

    def studio_of(self, obj: Gear) -> Studio:
        return obj.studio

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        item = cast(GearSerializer, serializer).gear_fields()
        serializer.instance = services.gear_create(
            studio=serializer.validated_data["studio"],
            by=request_user(self.request),
            **item,
        )

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        item = cast(GearSerializer, serializer).gear_fields()
        serializer.instance = services.gear_update(
            gear=cast(Gear, serializer.instance),
            by=request_user(self.request),
            **item,
        )

    def perform_destroy(self, instance: Gear) -> None:
        services.gear_delete(gear=instance, by=request_user(self.request))
