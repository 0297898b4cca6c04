"""Rate rules: presets everyone may use, and each project's own rules (checked parameters)."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Q, QuerySet
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated

from projects.api.access import ProjectRolePermission, require_capability
from projects.models import Project
from projects.permissions import Capability, projects_visible
from sessions import rates, services
from sessions.models import RateRule


class RuleProjectField(serializers.PrimaryKeyRelatedField):
    """A rule's project: null on the presets, which come with the app; a write names one."""


class RuleProjectFieldSchema(OpenApiSerializerFieldExtension):
    # One field, two schemas: rows read may be presets (null), a rule written may not.
    target_class = RuleProjectField

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "integer"}
        if direction == "response":
            schema["nullable"] = True
        return schema


class RateRuleSerializer(serializers.ModelSerializer):
    project = RuleProjectField(queryset=Project.objects.all())

    class Meta:
        model = RateRule
        fields = ["id", "project", "name", "kind", "currency", "params", "source", "verified"]
        read_only_fields = ["verified"]

    def validate_project(self, project: Project | None) -> Project:
        if project is None:
            raise serializers.ValidationError("A rule of your own belongs to one of your projects.")
        require_capability(self.context["request"].user, project, Capability.SESSIONS_MANAGE)
        return project

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        kind = attrs.get("kind", getattr(self.instance, "kind", None))
        params = attrs.get("params", getattr(self.instance, "params", None))
        currency = attrs.get("currency", getattr(self.instance, "currency", "USD"))
        try:
            values = rates.validate_params(cast(str, kind), params, currency=currency)
        except rates.RuleError as error:
            raise serializers.ValidationError({"params": error.errors}) from error
        attrs["params"] = {name: str(value) for name, value in values.items()}
        return attrs


class RateRuleViewSet(viewsets.ModelViewSet):
    """Presets everyone may use, and your projects' own rules."""

    serializer_class = RateRuleSerializer
    permission_classes = [IsAuthenticated, ProjectRolePermission]
    filterset_fields = ["project", "kind", "currency"]
    search_fields = ["name"]
    write_capability = Capability.SESSIONS_MANAGE
    action_capabilities: dict[str, Capability] = {}

    def get_queryset(self) -> QuerySet[RateRule]:
        return RateRule.objects.filter(
            Q(project__isnull=True) | Q(project__in=projects_visible(self.request.user))
        )

    def project_of(self, obj: RateRule) -> Project:
        if obj.project is None:
            raise PermissionDenied("Presets are shared: copy one into your project to change it.")
        return obj.project

    # The serializer answers in the API's shape (each parameter's message); the write, and
    # its checks again, are the service's, as for the pages.
    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        data = serializer.validated_data
        serializer.instance = services.rate_rule_create(
            project=data["project"],
            name=data["name"],
            kind=data["kind"],
            currency=data.get("currency", "USD"),
            params=data["params"],
            source=data.get("source", ""),
        )

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        rule = cast(RateRule, serializer.instance)
        changes = dict(serializer.validated_data)
        changes.pop("project", None)  # a rule stays with its project
        serializer.instance = services.rate_rule_update(rule=rule, **changes)

    def perform_destroy(self, instance: RateRule) -> None:
        services.rate_rule_delete(rule=instance)
