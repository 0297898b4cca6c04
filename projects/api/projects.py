"""REST API: people, projects and members (studios, rooms and gear are in studio.api)."""

from __future__ import annotations

import datetime
import functools
from typing import Any, cast

from django.contrib.auth import get_user_model
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from rest_framework import serializers, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import ScopedSlugRelatedField, request_user
from core.filters import IdFilter, ScopedFilterSet
from projects import services
from projects.api.access import ProjectRolePermission, require_capability
from projects.hooks import links
from projects.models import Membership, Person, PersonCard, Project, Role
from projects.permissions import Capability, coworkers_of, person_cards_visible, projects_visible
from projects.services.projects import unknown_coworker_message

User = get_user_model()
MAX_AVAILABILITY_WINDOW = datetime.timedelta(days=93)


# --- people ---------------------------------------------------------------------------------


class PersonSerializer(serializers.Serializer):
    """A person as one production knows them: one of the person's cards.

    ``id`` is the person's (what bookings, engagements and credits point at); ``project`` names
    the production whose card the details are. A person on two of the caller's projects is two
    rows, one per card; another production's card is never shown or written.
    """

    id = serializers.IntegerField(source="person_id", read_only=True)
    project = serializers.PrimaryKeyRelatedField(
        queryset=Project.objects.all(),
        required=False,
        help_text=(
            "The production whose card this is. Required to write email, phone, instruments "
            "or notes; on create, one of your projects (or project_ids)."
        ),
    )
    name = serializers.CharField(source="person.name", max_length=200)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    instruments = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        help_text="What they play, comma separated.",
    )
    notes = serializers.CharField(required=False, allow_blank=True)
    has_login = serializers.SerializerMethodField()
    # Read: the caller's projects this person is on (their other productions are not named).
    # Write: project ids, each checked against the caller's role in validate_project_ids.
    projects = serializers.SerializerMethodField()
    project_ids = serializers.PrimaryKeyRelatedField(
        queryset=Project.objects.all(),
        many=True,
        write_only=True,
        required=False,
        help_text="Your projects this contact is on (others are kept); a blank card on new ones.",
    )
    created_at = serializers.DateTimeField(source="person.created_at", read_only=True)

    def get_projects(self, card: PersonCard) -> list[int]:
        visible: set[int] = self.context["visible_project_ids"]
        return [p.pk for p in card.person.projects.all() if p.pk in visible]

    def get_has_login(self, card: PersonCard) -> bool:
        return card.person.user_id is not None

    def validate_project(self, project: Project) -> Project:
        require_capability(self.context["request"].user, project, Capability.PEOPLE_MANAGE)
        return project

    def validate_project_ids(self, projects: list[Project]) -> list[Project]:
        user = self.context["request"].user
        for project in projects:
            require_capability(user, project, Capability.PEOPLE_MANAGE)
        return projects


class PersonFilter(ScopedFilterSet):
    project = IdFilter(field_name="project", label="On project (id)")
    has_login = filters.BooleanFilter(field_name="person__user", lookup_expr="isnull", exclude=True)

    class Meta:
        model = PersonCard
        fields = ["project", "has_login"]


def _details(data: dict[str, Any]) -> dict[str, str]:
    return {k: data[k] for k in ("email", "phone", "instruments", "notes") if k in data}


class PersonViewSet(viewsets.ModelViewSet):
    """Contacts on your projects, one row per project card: what that production knows about
    them. ``GET people/{id}/?project=`` reads the card of one project (by default the first of
    yours they are on); writes name ``project``, the card they change."""

    serializer_class = PersonSerializer
    filterset_class = PersonFilter
    search_fields = ["person__name", "email", "instruments"]
    ordering_fields = ["name", "created_at"]
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> QuerySet[PersonCard]:
        return (
            person_cards_visible(self.request.user)
            .annotate(name=F("person__name"))
            .select_related("person")
            .prefetch_related("person__projects")
            .order_by("person__name", "person_id", "project_id")
        )

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["visible_project_ids"] = set(
            projects_visible(self.request.user).values_list("id", flat=True)
        )
        return context

    def get_object(self) -> PersonCard:
        person_id = int(self.kwargs["pk"])
        # Through the person's pk, not the person_id column: an id past the integer range is
        # then no match (Django's IntegerField lookups), where the raw column overflowed (500).
        card = self.filter_queryset(self.get_queryset()).filter(person__pk=person_id).first()
        if card is None:
            # Your own person, on none of your projects: their name, without any card.
            me = Person.objects.filter(pk=person_id, user=self.request.user.pk).first()
            if me is None:
                raise Http404("No person with that id on your projects.")
            card = PersonCard(person=me)
        self.check_object_permissions(self.request, card)
        return card

    def _row(self, person: Person, project_id: int | None) -> PersonCard:
        """The card a write answers with: of the project written, else the first of yours."""
        cards = self.get_queryset().filter(person=person)
        written = cards.filter(project_id=project_id).first() if project_id else None
        return written or cards.first() or PersonCard(person=person)

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        data = dict(serializer.validated_data)
        projects = list(data.get("project_ids", []))
        if "project" in data:
            projects.insert(0, data["project"])
        person = services.person_create(
            by=request_user(self.request),
            name=data["person"]["name"],
            projects=projects,
            **_details(data),
        )
        serializer.instance = self._row(person, projects[0].pk)

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        card = cast(PersonCard, serializer.instance)
        data = dict(serializer.validated_data)
        project = data.get("project")
        services.person_update(
            person=card.person,
            by=request_user(self.request),
            project=project,
            name=data.get("person", {}).get("name"),
            projects=data.get("project_ids"),
            **_details(data),
        )
        serializer.instance = self._row(card.person, project.pk if project else card.project_id)

    def perform_destroy(self, instance: PersonCard) -> None:
        services.person_delete(person=instance.person, by=request_user(self.request))


# --- projects and members -------------------------------------------------------------------


def _with_my_role(queryset: QuerySet[Project], user: Any) -> QuerySet[Project]:
    my_role = Membership.objects.filter(project=OuterRef("pk"), user=user.pk).values("role")[:1]
    return queryset.annotate(my_role=Subquery(my_role))


class ProjectSerializer(serializers.ModelSerializer):
    my_role = serializers.ChoiceField(
        choices=Role.choices, read_only=True, help_text="Your role on this project."
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
            "require_two_factor",
            "my_role",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def get_fields(self) -> dict[str, serializers.Field]:
        """The model's fields, and before ``my_role`` each link the apps above register
        (``projects.hooks``): the studios, from the install's directory, which every signed-in
        user picks from; what a project sees of a studio it uses stays scoped."""
        fields = super().get_fields()
        ordered: dict[str, serializers.Field] = {}
        for name, field in fields.items():
            if name == "my_role":
                for link in links():
                    ordered[link.name] = serializers.PrimaryKeyRelatedField(
                        many=True, required=False, queryset=link.choices()
                    )
            ordered[name] = field
        return ordered


@functools.cache
def project_filter() -> type[ScopedFilterSet]:
    """Projects by status, currency and each link (``?studios=3``), made once the apps have
    registered their links."""
    meta = type(
        "Meta",
        (),
        {"model": Project, "fields": ["status", "currency", *(link.name for link in links())]},
    )
    return type("ProjectFilter", (ScopedFilterSet,), {"Meta": meta})


class ProjectViewSet(viewsets.ModelViewSet):
    """Your productions. Creating one makes you its producer."""

    serializer_class = ProjectSerializer
    permission_classes = [IsAuthenticated, ProjectRolePermission]
    search_fields = ["title", "artist", "client"]
    ordering_fields = ["title", "artist", "created_at", "due_date"]
    write_capability = Capability.PROJECT_CHANGE
    action_capabilities = {"destroy": Capability.PROJECT_DELETE}

    @property
    def filterset_class(self) -> type[ScopedFilterSet]:
        return project_filter()

    def get_queryset(self) -> QuerySet[Project]:
        user = self.request.user
        return _with_my_role(projects_visible(user), user).prefetch_related(
            *(link.name for link in links())
        )

    def project_of(self, obj: Project) -> Project:
        return obj

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        data = serializer.validated_data
        project = services.project_create(
            by=request_user(self.request),
            title=data["title"],
            artist=data["artist"],
            client=data.get("client", ""),
            currency=data.get("currency", "EUR"),
            status=data.get("status", Project.Status.PLANNING),
            start_date=data.get("start_date"),
            due_date=data.get("due_date"),
            notes=data.get("notes", ""),
            links={link.name: data.get(link.name, []) for link in links()},
            require_two_factor=data.get("require_two_factor", False),
        )
        serializer.instance = _with_my_role(Project.objects.all(), self.request.user).get(
            pk=project.pk
        )

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        project = cast(Project, serializer.instance)
        data = serializer.validated_data
        services.project_update(
            project=project,
            by=request_user(self.request),
            title=data.get("title", project.title),
            artist=data.get("artist", project.artist),
            client=data.get("client", project.client),
            currency=data.get("currency", project.currency),
            status=data.get("status", project.status),
            start_date=data.get("start_date", project.start_date),
            due_date=data.get("due_date", project.due_date),
            notes=data.get("notes", project.notes),
            links={link.name: data[link.name] for link in links() if link.name in data},
            require_two_factor=data.get("require_two_factor"),
        )
        serializer.instance = _with_my_role(Project.objects.all(), self.request.user).get(
            pk=project.pk
        )


class MembershipSerializer(serializers.ModelSerializer):
    # Only users who already share a production with the caller (projects.permissions.
    # coworkers_of): a missing username and a stranger's get the same 400, word for word.
    user = ScopedSlugRelatedField(
        slug_field="username",
        queryset=User.objects.none(),
        scope=coworkers_of,
        help_text="The username of someone you already share a production with.",
        error_messages={"does_not_exist": unknown_coworker_message("{value}")},
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


class MembershipViewSet(viewsets.ModelViewSet):
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

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # The role is checked before the username is looked at: a member who may not add
        # members learns nothing about who could be added.
        require_capability(request.user, self.get_project(), Capability.MEMBERS_MANAGE)
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        project = self.get_project()
        serializer.instance = services.membership_add(
            project=project,
            user=serializer.validated_data["user"],
            role=serializer.validated_data["role"],
            by=request_user(self.request),
        )

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        membership = cast(Membership, serializer.instance)
        role = serializer.validated_data.get("role", membership.role)
        serializer.instance = services.membership_change_role(
            membership=membership, role=role, by=request_user(self.request)
        )

    def perform_destroy(self, instance: Membership) -> None:
        services.membership_remove(membership=instance, by=request_user(self.request))
