"""REST API of the calendar: bookings and their state changes."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Q
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import AwareDateTimeField, ScopedPrimaryKeyRelatedField, request_user
from core.filters import AwareDateTimeFilter, IdFilter, ScopedFilterSet
from projects.api.access import ProjectRolePermission, require_write_on_parent
from projects.models import Project
from projects.permissions import Capability, people_visible, projects_visible
from studio import services
from studio.models import Booking, Gear
from studio.permissions import gear_visible, rooms_visible
from studio.selectors import lapsed_holds, live_bookings, shown_state


class BookingSerializer(serializers.ModelSerializer):
    serializer_related_field = ScopedPrimaryKeyRelatedField
    start = AwareDateTimeField()
    end = AwareDateTimeField()
    expires_at = AwareDateTimeField(
        required=False,
        allow_null=True,
        help_text="On create only, for a hold to lapse sooner than the studio's hold_hours. "
        "Afterwards the rules set it (a challenge shortens it; confirming clears it).",
    )
    studio = serializers.IntegerField(source="room.studio_id", read_only=True)
    currency = serializers.CharField(source="room.studio.currency", read_only=True)
    status = serializers.ChoiceField(
        choices=Booking.Status.choices,
        required=False,
        help_text="On create: leave out for a hold of the tier the slot allows, or 'confirmed'. "
        "Afterwards change it with the confirm, release, cancel and challenge actions.",
    )
    rrule = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        help_text="RFC 5545 rule for a series, e.g. FREQ=WEEKLY;COUNT=6; all or nothing.",
    )
    gear = ScopedPrimaryKeyRelatedField(
        many=True, required=False, queryset=Gear.objects.none(), scope=gear_visible
    )
    past = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="Log a past session: without it, a booking (or a move) that starts before "
        "now is a 400.",
    )

    class Meta:
        model = Booking
        fields = [
            "id",
            "uid",
            "room",
            "studio",
            "project",
            "title",
            "start",
            "end",
            "status",
            "engineer",
            "gear",
            "notes",
            "expires_at",
            "challenged_at",
            "quoted_amount",
            "currency",
            "quote_lines",
            "confirmed_at",
            "cancelled_at",
            "ending",
            "cancellation_fee",
            "series",
            "sequence",
            "rrule",
            "past",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "uid",
            "challenged_at",
            "quoted_amount",
            "quote_lines",
            "confirmed_at",
            "cancelled_at",
            "ending",
            "cancellation_fee",
            "series",
            "sequence",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "room": {"scope": rooms_visible},
            "engineer": {"scope": people_visible},
        }

    # Read-only fields lose the model's blank=True: said here, so the schema allows "" (not
    # ended) beside the endings.
    ending = serializers.ChoiceField(
        choices=Booking.Ending.choices, allow_blank=True, read_only=True
    )

    def to_representation(self, instance: Booking) -> dict[str, Any]:
        data = super().to_representation(instance)
        # A hold past its expiry reads as lapsed whether or not the expiry task has run.
        data["status"], data["ending"] = shown_state(instance)
        return data

    def validate_project(self, project: Project) -> Project:
        return require_write_on_parent(
            self,
            project,
            field="project",
            project=project,
            capability=Capability.SCHEDULE_MANAGE,
            stays="A booking stays with its project.",
        )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # DRF drops read-only fields silently; these are refused out loud so that nobody thinks
        # they moved a deadline.
        sent = self.initial_data if isinstance(self.initial_data, dict) else {}
        ruled = {"challenged_at": "Set by a challenge from a 2nd hold; it cannot be sent."}
        if self.instance is not None:
            ruled["expires_at"] = (
                "Set by the studio's rules: a challenge shortens it, confirming clears it."
            )
        refused = {name: message for name, message in ruled.items() if name in sent}
        if refused:
            raise serializers.ValidationError(refused)
        if self.instance is not None:
            if "status" in attrs and attrs["status"] != self.instance.status:
                raise serializers.ValidationError(
                    {"status": "Use the confirm, release, cancel or challenge actions."}
                )
            if attrs.get("rrule"):
                raise serializers.ValidationError({"rrule": "Only a new booking can repeat."})
        elif attrs.get("status") == Booking.Status.CANCELLED:
            raise serializers.ValidationError({"status": "A new booking is a hold or confirmed."})
        return attrs


class BookingFilter(ScopedFilterSet):
    studio = IdFilter(field_name="room__studio")
    status = filters.MultipleChoiceFilter(choices=Booking.Status.choices, method="filter_status")
    after = AwareDateTimeFilter(
        field_name="end", lookup_expr="gt", label="Ends after (ISO 8601 with offset)"
    )
    before = AwareDateTimeFilter(
        field_name="start", lookup_expr="lt", label="Starts before (ISO 8601 with offset)"
    )
    series = filters.UUIDFilter()

    class Meta:
        model = Booking
        fields = ["room", "project", "engineer", "studio", "status", "after", "before", "series"]

    def filter_status(self, queryset: Any, name: str, value: list[str]) -> Any:
        """By the status a booking has by the clock: a lapsed hold is cancelled, not a hold."""
        if not value:
            return queryset
        now = timezone.now()
        wanted = Q(status__in=value) & live_bookings(now)
        if Booking.Status.CANCELLED in value:
            wanted |= lapsed_holds(now)
        return queryset.filter(wanted)


def _booking_queryset(user: Any) -> Any:
    return (
        Booking.objects.filter(project__in=projects_visible(user))
        .select_related("room__studio", "project", "engineer")
        .prefetch_related("gear")
    )


class BookingViewSet(viewsets.ModelViewSet):
    """Holds and bookings of rooms. A collision is a 409 naming the booking in the way."""

    serializer_class = BookingSerializer
    permission_classes = [IsAuthenticated, ProjectRolePermission]
    filterset_class = BookingFilter
    search_fields = ["title", "notes", "project__title", "room__name"]
    ordering_fields = ["start", "end", "created_at"]
    # Bookings are cancelled, never deleted: the fee and the feed's CANCELLED need the row.
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    write_capability = Capability.SCHEDULE_MANAGE
    action_capabilities: dict[str, Capability] = {}

    def get_queryset(self) -> Any:
        return _booking_queryset(self.request.user)

    def project_of(self, obj: Booking) -> Project:
        return obj.project

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        data = dict(serializer.validated_data)
        created = services.booking_create(
            by=request_user(self.request),
            room=data["room"],
            project=data["project"],
            start=data["start"],
            end=data["end"],
            status=data.get("status"),
            engineer=data.get("engineer"),
            gear=data.get("gear", []),
            title=data.get("title", ""),
            notes=data.get("notes", ""),
            expires_at=data.get("expires_at"),
            rrule=data.get("rrule", ""),
            past=data.get("past", False),
        )
        serializer.instance = _booking_queryset(self.request.user).get(pk=created[0].pk)

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        booking = cast(Booking, serializer.instance)
        data = serializer.validated_data
        updated = services.booking_update(
            booking=booking,
            start=data.get("start"),
            end=data.get("end"),
            room=data.get("room"),
            engineer=data["engineer"] if "engineer" in data else ...,
            gear=data.get("gear"),
            title=data.get("title"),
            notes=data.get("notes"),
            past=data.get("past", False),
        )
        serializer.instance = _booking_queryset(self.request.user).get(pk=updated.pk)

    def _respond(self, booking: Booking) -> Response:
        fresh = _booking_queryset(self.request.user).get(pk=booking.pk)
        return Response(self.get_serializer(fresh).data)

    @extend_schema(request=None, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        """Confirm a hold; the quote is frozen at today's rate card."""
        return self._respond(services.booking_confirm(booking=self.get_object()))

    @extend_schema(request=None, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """Cancel; a confirmed booking keeps the fee its notice earns."""
        return self._respond(services.booking_cancel(booking=self.get_object()))

    @extend_schema(request=None, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    def release(self, request: Request, pk: str | None = None) -> Response:
        """Release a hold; the 2nd hold behind it moves up."""
        return self._respond(services.booking_release(booking=self.get_object()))

    @extend_schema(request=None, responses=BookingSerializer(many=True))
    @action(detail=True, methods=["post"])
    def challenge(self, request: Request, pk: str | None = None) -> Response:
        """From a 2nd hold: give the 1st holds in the way the studio's deadline to decide.

        Answers with the challenged 1st holds and their new expiry."""
        challenged = services.booking_challenge(booking=self.get_object())
        fresh = _booking_queryset(request.user).filter(pk__in=[b.pk for b in challenged])
        return Response(self.get_serializer(fresh, many=True).data, status=status.HTTP_200_OK)
