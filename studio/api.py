"""REST API of the ground floor: people, projects and members, studios, rooms, gear."""

from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from rest_framework import serializers, viewsets
from rest_framework.permissions import IsAuthenticated

from studio import services
from studio.api_base import ProjectRolePermission, StudioManagerPermission, require_capability
from studio.models import Gear, Membership, Person, Project, Role, Room, Studio
from studio.permissions import (
    Capability,
    has_capability,
    people_visible,
    projects_visible,
    studios_managed,
    studios_visible,
)

User = get_user_model()


# --- people ---------------------------------------------------------------------------------


class VisibleProjectsField(serializers.PrimaryKeyRelatedField):  # type: ignore[type-arg]
    """Project ids, showing only those the caller can see (others exist but are not theirs)."""

    def to_representation(self, value: Any) -> Any:
        return value.pk

    def get_queryset(self) -> QuerySet[Project]:
        return Project.objects.all()


class PersonSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    projects = serializers.SerializerMethodField()
    project_ids = VisibleProjectsField(
        many=True,
        write_only=True,
        source="projects",
        required=False,
        help_text="Projects this contact works on; at least one of yours on create.",
    )
    has_login = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = [
            "id",
            "name",
            "email",
            "phone",
            "instruments",
            "notes",
            "has_login",
            "projects",
            "project_ids",
            "created_at",
        ]
        read_only_fields = ["created_at"]

    def get_projects(self, person: Person) -> list[int]:
        visible: set[int] = self.context["visible_project_ids"]
        return [p.pk for p in person.projects.all() if p.pk in visible]

    def get_has_login(self, person: Person) -> bool:
        return person.user_id is not None

    def validate_project_ids(self, projects: list[Project]) -> list[Project]:
        user = self.context["request"].user
        for project in projects:
            require_capability(user, project, Capability.PEOPLE_MANAGE)
        return projects


class PersonFilter(filters.FilterSet):
    project = filters.NumberFilter(field_name="projects", label="On project (id)")
    has_login = filters.BooleanFilter(field_name="user", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Person
        fields = ["project", "has_login"]


class PersonViewSet(viewsets.ModelViewSet):  # type: ignore[type-arg]
    """Contacts on your projects: musicians, engineers, artists, clients."""

    serializer_class = PersonSerializer
    filterset_class = PersonFilter
    search_fields = ["name", "email", "instruments"]
    ordering_fields = ["name", "created_at"]

    def get_queryset(self) -> QuerySet[Person]:
        return people_visible(self.request.user).prefetch_related("projects")

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["visible_project_ids"] = set(
            projects_visible(self.request.user).values_list("id", flat=True)
        )
        return context

    def _check_may_edit(self, person: Person) -> None:
        user = self.request.user
        if person.user_id == user.pk:
            return
        if not any(
            has_capability(user, p, Capability.PEOPLE_MANAGE) for p in person.projects.all()
        ):
            raise PermissionDenied("Your roles on this contact's projects may not edit them.")

    def perform_create(self, serializer: PersonSerializer) -> None:
        data = dict(serializer.validated_data)
        projects = data.pop("projects", [])
        serializer.instance = services.person_create(
            by=self.request.user, projects=projects, **data
        )

    def perform_update(self, serializer: PersonSerializer) -> None:
        assert serializer.instance is not None
        self._check_may_edit(serializer.instance)
        data = dict(serializer.validated_data)
        serializer.instance = services.person_update(
            person=serializer.instance, by=self.request.user, **data
        )

    def perform_destroy(self, instance: Person) -> None:
        self._check_may_edit(instance)
        services.person_delete(person=instance, by=self.request.user)


# --- projects and members -------------------------------------------------------------------


def _with_my_role(queryset: QuerySet[Project], user: Any) -> QuerySet[Project]:
    my_role = Membership.objects.filter(project=OuterRef("pk"), user=user.pk).values("role")[:1]
    return queryset.annotate(my_role=Subquery(my_role))


class ProjectSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    my_role = serializers.ChoiceField(
        choices=Role.choices, read_only=True, help_text="Your role on this project."
    )
    studios = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=Studio.objects.none()
    )

    class Meta:
        model = Project
        fields = [
            "id",
            "title",
            "artist",
            "client",
            "currency",
            "status",
            "start_date",
            "due_date",
            "notes",
            "studios",
            "my_role",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["studios"].child_relation.queryset = studios_visible(request.user)
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start = attrs.get("start_date", getattr(self.instance, "start_date", None))
        due = attrs.get("due_date", getattr(self.instance, "due_date", None))
        if start and due and due < start:
            raise serializers.ValidationError({"due_date": "The due date is before the start."})
        return attrs


class ProjectFilter(filters.FilterSet):
    class Meta:
        model = Project
        fields = ["status", "currency", "studios"]


class ProjectViewSet(viewsets.ModelViewSet):  # type: ignore[type-arg]
    """Your productions. Creating one makes you its producer."""

    serializer_class = ProjectSerializer
    permission_classes = [IsAuthenticated, ProjectRolePermission]
    filterset_class = ProjectFilter
    search_fields = ["title", "artist", "client"]
    ordering_fields = ["title", "artist", "created_at", "due_date"]
    write_capability = Capability.PROJECT_CHANGE
    action_capabilities = {"destroy": Capability.PROJECT_DELETE}

    def get_queryset(self) -> QuerySet[Project]:
        user = self.request.user
        return _with_my_role(projects_visible(user), user).prefetch_related("studios")

    def project_of(self, obj: Project) -> Project:
        return obj

    def perform_create(self, serializer: ProjectSerializer) -> None:
        project = services.project_create(by=self.request.user, **serializer.validated_data)
        serializer.instance = _with_my_role(Project.objects, self.request.user).get(pk=project.pk)


class MembershipSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    user = serializers.SlugRelatedField(
        slug_field="username", queryset=User.objects.all(), help_text="The member's username."
    )
    name = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = ["id", "user", "name", "role", "created_at"]
        read_only_fields = ["created_at"]
        # Uniqueness is the service's to check, with a message naming the user.
        validators: list[Any] = []

    def get_name(self, membership: Membership) -> str:
        person = getattr(membership.user, "person", None)
        return person.name if person else membership.user.get_full_name()

    def validate_user(self, user: Any) -> Any:
        if self.instance is not None and user != self.instance.user:
            raise serializers.ValidationError("A membership's user cannot change; add a new one.")
        return user


class MembershipViewSet(viewsets.ModelViewSet):  # type: ignore[type-arg]
    """Members of one project and their roles."""

    serializer_class = MembershipSerializer
    permission_classes = [IsAuthenticated, ProjectRolePermission]
    filterset_fields = ["role"]
    ordering_fields = ["role", "created_at"]
    write_capability = Capability.MEMBERS_MANAGE
    action_capabilities: dict[str, Capability] = {}

    def get_project(self) -> Project:
        if not hasattr(self, "_project"):
            self._project = get_object_or_404(
                projects_visible(self.request.user), pk=self.kwargs["project_pk"]
            )
        return self._project

    def get_queryset(self) -> QuerySet[Membership]:
        if getattr(self, "swagger_fake_view", False):
            return Membership.objects.none()
        return self.get_project().memberships.select_related("user__person")

    def project_of(self, obj: Membership) -> Project:
        return self.get_project()

    def perform_create(self, serializer: MembershipSerializer) -> None:
        project = self.get_project()
        require_capability(self.request.user, project, Capability.MEMBERS_MANAGE)
        serializer.instance = services.membership_add(
            project=project,
            user=serializer.validated_data["user"],
            role=serializer.validated_data["role"],
            by=self.request.user,
        )

    def perform_update(self, serializer: MembershipSerializer) -> None:
        assert serializer.instance is not None
        role = serializer.validated_data.get("role", serializer.instance.role)
        serializer.instance = services.membership_change_role(
            membership=serializer.instance, role=role
        )

    def perform_destroy(self, instance: Membership) -> None:
        services.membership_remove(membership=instance)


# --- studios, rooms, gear -------------------------------------------------------------------


class StudioSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    managers = serializers.SlugRelatedField(slug_field="username", many=True, read_only=True)
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


class StudioViewSet(viewsets.ModelViewSet):  # type: ignore[type-arg]
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

    def perform_create(self, serializer: StudioSerializer) -> None:
        serializer.instance = services.studio_create(
            by=self.request.user, **serializer.validated_data
        )


def _require_managed_studio(user: Any, studio: Studio) -> None:
    if not studios_managed(user).filter(pk=studio.pk).exists():
        if studios_visible(user).filter(pk=studio.pk).exists():
            raise PermissionDenied("Only the studio's managers may change it.")
        raise serializers.ValidationError({"studio": f'Invalid pk "{studio.pk}" - object does not exist.'})


class RoomSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Room
        fields = [
            "id",
            "studio",
            "name",
            "description",
            "capacity",
            "hourly_rate",
            "half_day_hours",
            "half_day_rate",
            "day_hours",
            "day_rate",
            "overtime_unit_minutes",
            "overtime_multiplier",
            "is_active",
        ]
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

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        half = attrs.get("half_day_hours", getattr(self.instance, "half_day_hours", None))
        day = attrs.get("day_hours", getattr(self.instance, "day_hours", None))
        if half is not None and day is not None and half > day:
            raise serializers.ValidationError(
                {"half_day_hours": "A half day cannot be longer than a day."}
            )
        return attrs


class RoomViewSet(viewsets.ModelViewSet):  # type: ignore[type-arg]
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


class GearSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Gear
        fields = [
            "id",
            "studio",
            "room",
            "name",
            "category",
            "make",
            "model",
            "serial_number",
            "status",
            "day_rate",
            "notes",
        ]

    def validate_studio(self, studio: Studio) -> Studio:
        if self.instance is not None and studio != self.instance.studio:
            raise serializers.ValidationError("Gear cannot move to another studio.")
        _require_managed_studio(self.context["request"].user, studio)
        return studio

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        studio = attrs.get("studio", getattr(self.instance, "studio", None))
        room = attrs.get("room", getattr(self.instance, "room", None))
        if room is not None and studio is not None and room.studio_id != studio.pk:
            raise serializers.ValidationError({"room": "The room belongs to another studio."})
        serial = attrs.get("serial_number", getattr(self.instance, "serial_number", ""))
        if serial and studio is not None:
            taken = Gear.objects.filter(studio=studio, serial_number=serial)
            if self.instance is not None:
                taken = taken.exclude(pk=self.instance.pk)
            if taken.exists():
                raise serializers.ValidationError(
                    {"serial_number": "This studio already has an item with this serial number."}
                )
        return attrs


class GearViewSet(viewsets.ModelViewSet):  # type: ignore[type-arg]
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
