"""Invitations to a project, under /api/v1/projects/<id>/invitations/: listed, made, resent
and withdrawn by who may manage its members (projects.services.joining)."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import request_user
from projects import services
from projects.api.access import require_capability
from projects.models import Invitation, Person, Project
from projects.permissions import Capability, projects_visible


class InvitationSerializer(serializers.ModelSerializer):
    state = serializers.ChoiceField(choices=Invitation.State.choices, read_only=True)
    person = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.none(),
        required=False,
        allow_null=True,
        help_text="The project's contact it is sent from: the account becomes that contact.",
    )
    # Null once the account is deleted; accepted_by null until someone accepts.
    invited_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    accepted_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = Invitation
        fields = [
            "id",
            "email",
            "role",
            "person",
            "state",
            "invited_by",
            "created_at",
            "expires_at",
            "sent_at",
            "send_count",
            "accepted_at",
            "accepted_by",
            "revoked_at",
        ]
        read_only_fields = [
            "created_at",
            "expires_at",
            "sent_at",
            "send_count",
            "accepted_at",
            "revoked_at",
        ]
        # Inviting an address again renews its open invitation (the service's rule).
        validators: list[Any] = []

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        project = self.context.get("project")
        if project is not None:
            person = cast(serializers.PrimaryKeyRelatedField, fields["person"])
            person.queryset = Person.objects.filter(cards__project=project)
        return fields


class InvitationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """A project's invitations. Only who may manage members sees them (their addresses are
    the invited people's); anyone else on the project gets 403, anyone not on it 404.
    DELETE withdraws one (its row stays, as its link's answer does)."""

    serializer_class = InvitationSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["role"]
    ordering_fields = ["created_at", "expires_at"]

    def get_project(self) -> Project:
        if not hasattr(self, "_project"):
            self._project = get_object_or_404(
                projects_visible(self.request.user), pk=self.kwargs["project_pk"]
            )
        return self._project

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if not getattr(self, "swagger_fake_view", False):
            require_capability(request.user, self.get_project(), Capability.MEMBERS_MANAGE)

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False) and "project_pk" in self.kwargs:
            context["project"] = self.get_project()
        return context

    def get_queryset(self) -> QuerySet[Invitation]:
        if getattr(self, "swagger_fake_view", False):
            return Invitation.objects.none()
        return self.get_project().invitations.select_related("invited_by", "accepted_by")

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        data = serializer.validated_data
        serializer.instance = services.invitation_create(
            project=self.get_project(),
            email=data["email"],
            role=data["role"],
            person=data.get("person"),
            by=request_user(self.request),
        )
        # As it stands after commit: with tasks in-process its mail has gone out by now.
        serializer.instance.refresh_from_db()

    @extend_schema(responses={200: InvitationSerializer})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        invitation = services.invitation_revoke(
            invitation=self.get_object(), by=request_user(request)
        )
        return Response(self.get_serializer(invitation).data)

    @extend_schema(request=None, responses=InvitationSerializer)
    @action(detail=True, methods=["post"])
    def resend(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Send it again with a new link (the old one stops working), its days from now."""
        invitation = services.invitation_resend(
            invitation=self.get_object(), by=request_user(request)
        )
        invitation.refresh_from_db()
        return Response(self.get_serializer(invitation).data, status=status.HTTP_200_OK)
