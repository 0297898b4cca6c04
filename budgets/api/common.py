"""What the budget and invoice APIs share: money scoping, amounts checked, line viewsets."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from rest_framework import serializers, viewsets
from rest_framework.permissions import IsAuthenticated

from core.money import validate_amount
from projects.api.access import ProjectRolePermission, require_write_on_parent
from projects.models import Project
from projects.permissions import Capability, projects_with


def checked_amount(attrs: dict[str, Any], field: str, currency: str) -> None:
    """core.money's one amount check where the amount enters, named after its field; the
    service checks again for its other callers."""
    if attrs.get(field) is None:
        return
    try:
        attrs[field] = validate_amount(attrs[field], currency=currency)
    except DjangoValidationError as error:
        raise serializers.ValidationError({field: error.messages}) from error


# A line of a parent document (a budget's, an invoice's): the parent is one the caller may
# write, a line stays with its parent, and its amount is checked in the parent's currency. A
# subclass names the parent field, its amount field, the capability and what is said when a
# line would change parent, and routes ``validate_<parent>`` here. (A comment, not a
# docstring: the schema would give it to every line's component as its description.)
class LineSerializer(serializers.ModelSerializer):
    parent_field: str
    amount_field: str
    capability: Capability
    stays: str

    def validate_parent(self, parent: Any) -> Any:
        return require_write_on_parent(
            self,
            parent,
            field=self.parent_field,
            project=parent.project,
            capability=self.capability,
            stays=self.stays,
        )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        parent = attrs.get(self.parent_field) or getattr(self.instance, self.parent_field, None)
        if parent is not None:
            checked_amount(attrs, self.amount_field, parent.currency)
        return attrs


class MoneyViewSet(viewsets.GenericViewSet):
    """Seen by roles that see budgets; written by roles that manage them."""

    permission_classes = [IsAuthenticated, ProjectRolePermission]
    write_capability = Capability.BUDGET_MANAGE
    action_capabilities: dict[str, Capability] = {}

    def money_projects(self) -> QuerySet[Project]:
        return projects_with(self.request.user, Capability.BUDGET_VIEW)


class LinesViewSet(viewsets.ModelViewSet, MoneyViewSet):
    """Lines of a parent document (a budget, an invoice), written through its services, which
    refuse changes once the parent is approved or issued."""

    parent: str
    save_line: Any
    delete_line: Any

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        data = dict(serializer.validated_data)
        parent = data.pop(self.parent)
        serializer.instance = self.save_line(**{self.parent: parent}, **data)

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        line = serializer.instance
        data = dict(serializer.validated_data)
        data.pop(self.parent, None)
        serializer.instance = self.save_line(
            **{self.parent: getattr(line, self.parent)}, line=line, **data
        )

    def perform_destroy(self, instance: Any) -> None:
        self.delete_line(line=instance)
