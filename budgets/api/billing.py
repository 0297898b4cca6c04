"""REST API of milestone billing: a project's plan (``billing-plans/``) and its milestones
(``billing-milestones/``). Seen by the roles that see budgets, written by those that draft
invoices; every write goes through budgets.services.billing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from budgets import services
from budgets.api.common import MoneyViewSet, checked_amount
from budgets.milestones import RULES
from budgets.models import VatExemption
from budgets.models.billing import (
    MILESTONE_STATUSES,
    BillingMilestone,
    BillingPlan,
    MilestoneKind,
)
from budgets.selectors import milestone_amount
from budgets.services.billing import PLAN_FIELDS
from projects.api.access import require_capability, require_write_on_parent
from projects.models import Project
from projects.permissions import Capability


class BillingMilestoneSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=MilestoneKind.choices)
    label = serializers.CharField(  # type: ignore[assignment]
        max_length=200, required=False, allow_blank=True, help_text="The kind's name if blank."
    )
    amount = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text="A fixed instalment; or give percent.",
    )
    percent = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text="A share of the plan's total fee; or give amount.",
    )
    status = serializers.SerializerMethodField()
    rule = serializers.SerializerMethodField()
    due = serializers.SerializerMethodField()

    class Meta:
        model = BillingMilestone
        fields = [
            "id",
            "plan",
            "kind",
            "label",
            "amount",
            "percent",
            "due",
            "position",
            "status",
            "rule",
            "reached_at",
            "invoice",
        ]
        read_only_fields = ["reached_at", "invoice"]

    @extend_schema_field(serializers.ChoiceField(choices=MILESTONE_STATUSES))
    def get_status(self, milestone: BillingMilestone) -> str:
        return "reached" if milestone.is_reached else "waiting"

    def get_rule(self, milestone: BillingMilestone) -> str:
        """When it is reached, in words."""
        return RULES.get(milestone.kind, "")

    @extend_schema_field(serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True))
    def get_due(self, milestone: BillingMilestone) -> str | None:
        """What it bills: the amount, or the percent of the plan's total."""
        due = milestone_amount(milestone.plan, milestone)
        return None if due is None else str(due)

    def validate_plan(self, plan: BillingPlan) -> BillingPlan:
        return require_write_on_parent(
            self,
            plan,
            field="plan",
            project=plan.project,
            capability=Capability.INVOICES_MANAGE,
            stays="A milestone stays in its plan.",
        )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        plan = attrs.get("plan") or getattr(self.instance, "plan", None)
        if plan is not None:
            checked_amount(attrs, "amount", plan.currency)
        return attrs


class BillingPlanSerializer(serializers.ModelSerializer):
    total_fee = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text="The whole fee; milestones in percent are shares of it.",
    )
    vat_exemption = serializers.ChoiceField(
        choices=VatExemption.choices,
        required=False,
        allow_blank=True,
        help_text="Why the drafts' 0 % lines carry no VAT.",
    )
    tax_rate = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal(0), max_value=Decimal(100), required=False
    )
    milestones = BillingMilestoneSerializer(many=True, read_only=True)

    class Meta:
        model = BillingPlan
        fields = [
            "id",
            "project",
            "currency",
            *PLAN_FIELDS,
            "milestones",
            "created_at",
        ]
        read_only_fields = ["currency", "created_at"]
        # The service answers "already has a plan" as a 409, not the unique field's 400.
        extra_kwargs: dict[str, dict[str, Any]] = {"project": {"validators": []}}

    def validate_project(self, project: Project) -> Project:
        if self.instance is not None and project != self.instance.project:
            raise serializers.ValidationError("A plan stays with its project.")
        require_capability(self.context["request"].user, project, Capability.INVOICES_MANAGE)
        return project

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        project = attrs.get("project") or getattr(self.instance, "project", None)
        if project is not None:
            checked_amount(attrs, "total_fee", project.currency)
        return attrs


class BillingPlanViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    MoneyViewSet,
):
    """A project's billing plan (one per project) with its milestones. ``check/`` drafts the
    invoices of the milestones the songs' stages now reach."""

    serializer_class = BillingPlanSerializer
    filterset_fields = ["project"]
    write_capability = Capability.INVOICES_MANAGE

    def get_queryset(self) -> QuerySet[BillingPlan]:
        return (
            BillingPlan.objects.filter(project__in=self.money_projects())
            .select_related("project")
            .prefetch_related("milestones")
            .order_by("pk")
        )

    def project_of(self, obj: BillingPlan) -> Project:
        return obj.project

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        data = dict(serializer.validated_data)
        serializer.instance = services.billing_plan_create(project=data.pop("project"), **data)

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        data = dict(serializer.validated_data)
        data.pop("project", None)
        plan = cast(BillingPlan, serializer.instance)
        serializer.instance = services.billing_plan_update(plan=plan, **data)

    @extend_schema(request=None, responses=BillingPlanSerializer)
    @action(detail=True, methods=["post"])
    def check(self, request: Request, pk: str | None = None) -> Response:
        """Check now: draft the invoice of every waiting milestone the songs reach (each once)."""
        plan = self.get_object()
        services.billing_check(project=plan.project)
        return Response(self.get_serializer(self.get_queryset().get(pk=plan.pk)).data)


class BillingMilestoneViewSet(viewsets.ModelViewSet, MoneyViewSet):
    """A plan's milestones: an amount or a percent of the plan's total. A reached milestone
    has drafted its invoice and answers 409 to changes; ``reach/`` marks one reached now."""

    serializer_class = BillingMilestoneSerializer
    filterset_fields = ["plan", "kind"]
    write_capability = Capability.INVOICES_MANAGE

    def get_queryset(self) -> QuerySet[BillingMilestone]:
        return (
            BillingMilestone.objects.filter(plan__project__in=self.money_projects())
            .select_related("plan__project")
            .order_by("plan_id", "position", "pk")
        )

    def project_of(self, obj: BillingMilestone) -> Project:
        return obj.plan.project

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        data = dict(serializer.validated_data)
        serializer.instance = services.billing_milestone_save(plan=data.pop("plan"), **data)

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        milestone = cast(BillingMilestone, serializer.instance)
        data = dict(serializer.validated_data)
        data.pop("plan", None)
        serializer.instance = services.billing_milestone_save(
            plan=milestone.plan, milestone=milestone, **data
        )

    def perform_destroy(self, instance: BillingMilestone) -> None:
        services.billing_milestone_delete(milestone=instance)

    @extend_schema(request=None, responses=BillingMilestoneSerializer)
    @action(detail=True, methods=["post"])
    def reach(self, request: Request, pk: str | None = None) -> Response:
        """Mark it reached now, whatever the songs say, and draft its invoice."""
        milestone = services.billing_milestone_reach(milestone=self.get_object())
        return Response(self.get_serializer(milestone).data)
