"""REST API of budgets: versions, lines, costs, and the derived report."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, cast

from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from budgets import services
from budgets.api.common import LineSerializer, LinesViewSet, MoneyViewSet, checked_amount
from budgets.models import (
    Budget,
    BudgetLine,
    Category,
    Cost,
)
from budgets.selectors import CategoryRow, budget_report, burn_down
from budgets.song_costs import SongCost, song_costs
from core.api import ScopedFileField, ScopedPrimaryKeyRelatedField
from core.exports import csv_response
from core.users import AnyUser
from projects.api.access import require_capability, require_write_on_parent
from projects.models import Project
from projects.permissions import Capability, projects_with
from songs.models import Song


class BudgetSerializer(serializers.ModelSerializer):
    class Meta:
        model = Budget
        fields = [
            "id",
            "project",
            "version",
            "currency",
            "contingency_percent",
            "approved_at",
            "notes",
        ]
        read_only_fields = ["version", "currency", "approved_at"]

    def validate_project(self, project: Project) -> Project:
        require_capability(self.context["request"].user, project, Capability.BUDGET_MANAGE)
        return project


class RowSerializer(serializers.Serializer):
    category = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    planned = serializers.DecimalField(max_digits=14, decimal_places=2)
    committed = serializers.DecimalField(max_digits=14, decimal_places=2)
    actual = serializers.DecimalField(max_digits=14, decimal_places=2)
    remaining = serializers.DecimalField(max_digits=14, decimal_places=2)
    forecast = serializers.DecimalField(max_digits=14, decimal_places=2)
    variance = serializers.DecimalField(max_digits=14, decimal_places=2)
    recoupable = serializers.DecimalField(max_digits=14, decimal_places=2)
    compared_planned = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)


class BurnPointSerializer(serializers.Serializer):
    day = serializers.DateField(help_text="First day of the month.")
    spent = serializers.DecimalField(max_digits=14, decimal_places=2)


class ReportSerializer(serializers.Serializer):
    currency = serializers.CharField()
    compared_with = serializers.IntegerField(allow_null=True)
    rows = RowSerializer(many=True)
    total = RowSerializer()
    warnings = serializers.ListField(child=serializers.CharField())


class SongCostSerializer(serializers.Serializer):
    song = serializers.IntegerField(allow_null=True, help_text="Null: not assigned to a song.")
    title = serializers.CharField()
    sessions = serializers.IntegerField(help_text="Sessions it has a share of.")
    studio_time = serializers.DecimalField(max_digits=14, decimal_places=2)
    pay = serializers.DecimalField(max_digits=14, decimal_places=2)
    costs_committed = serializers.DecimalField(max_digits=14, decimal_places=2)
    costs_actual = serializers.DecimalField(max_digits=14, decimal_places=2)
    total = serializers.DecimalField(max_digits=14, decimal_places=2)


class SongCostReportSerializer(serializers.Serializer):
    currency = serializers.CharField()
    rows = SongCostSerializer(many=True)
    unassigned = SongCostSerializer()
    total = SongCostSerializer()
    warnings = serializers.ListField(child=serializers.CharField())


def _song_cost(row: SongCost, title: str | None = None) -> dict[str, Any]:
    return {
        "song": row.song.pk if row.song is not None else None,
        "title": title or row.label,
        "sessions": row.sessions,
        "studio_time": row.studio_time,
        "pay": row.pay,
        "costs_committed": row.costs_committed,
        "costs_actual": row.costs_actual,
        "total": row.total,
    }


def _row(row: CategoryRow) -> dict[str, Any]:
    fields = asdict(row)
    fields.pop("forecast_sum")
    return {
        **fields,
        "remaining": row.remaining,
        "forecast": row.forecast,
        "variance": row.variance,
    }


class BudgetViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, MoneyViewSet
):
    """Budget versions. Creating one starts from the template, or copies the latest version."""

    serializer_class = BudgetSerializer
    filterset_fields = ["project"]

    def get_queryset(self) -> QuerySet[Budget]:
        return Budget.objects.filter(project__in=self.money_projects()).select_related("project")

    def project_of(self, obj: Budget) -> Project:
        return obj.project

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        data = serializer.validated_data
        serializer.instance = services.budget_create(
            project=data["project"],
            contingency_percent=data.get("contingency_percent"),
            notes=data.get("notes", ""),
        )

    @extend_schema(request=None, responses=BudgetSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """Approve this version: from now on it is a snapshot."""
        return Response(self.get_serializer(services.budget_approve(budget=self.get_object())).data)

    def _report(self, request: Request) -> Any:
        budget = self.get_object()
        raw = request.query_params.get("compare")
        compare = None
        if raw:
            # An id fits a 64-bit column: longer digits would overflow SQLite's integer (a 500).
            if not raw.isdigit() or len(raw) > 18:
                raise serializers.ValidationError({"compare": "A budget id."})
            compare = self.get_queryset().filter(project=budget.project, pk=int(raw)).first()
            if compare is None:
                raise serializers.ValidationError(
                    {"compare": "No version of this budget with that id."}
                )
        return budget_report(budget=budget, compare=compare)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "compare", int, description="Another version's id; default the approved one."
            )
        ],
        responses=ReportSerializer,
    )
    @action(detail=True, methods=["get"])
    def report(self, request: Request, pk: str | None = None) -> Response:
        """Planned, committed, actual, remaining, forecast and variance per category, and the
        planned figures of the version compared with (the approved one unless told)."""
        report = self._report(request)
        body = {
            "currency": report.budget.currency,
            "compared_with": report.compared_with.pk if report.compared_with else None,
            "rows": [_row(row) for row in report.rows],
            "total": _row(report.total),
            "warnings": report.warnings,
        }
        return Response(ReportSerializer(body).data)

    @extend_schema(responses=SongCostReportSerializer)
    # One row per song of the project, never paged: the rows add up to the total.
    @action(detail=True, methods=["get"], url_path="song-costs", pagination_class=None)
    def song_costs(self, request: Request, pk: str | None = None) -> Response:
        """Per song: its share of the sessions' studio time and pay (split evenly among the
        songs recorded on a session, else those planned for it) and the costs tagged with it;
        what has no song is ``unassigned``, so the rows add up to ``total``."""
        report = song_costs(project=self.get_object().project)
        body = {
            "currency": report.currency,
            "rows": [_song_cost(row) for row in report.rows],
            "unassigned": _song_cost(report.unassigned),
            "total": _song_cost(report.total, "Total"),
            "warnings": report.warnings,
        }
        return Response(SongCostReportSerializer(body).data)

    @extend_schema(responses=BurnPointSerializer(many=True))
    # One point per month, never paged: the schema must not wrap them in a page.
    @action(detail=True, methods=["get"], url_path="burn-down", pagination_class=None)
    def burn_down(self, request: Request, pk: str | None = None) -> Response:
        """Cumulative actual spend by month, to draw against the plan."""
        points = burn_down(budget=self.get_object())
        return Response(BurnPointSerializer([asdict(p) for p in points], many=True).data)

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    @action(detail=True, methods=["get"], url_path="report/csv")
    def report_csv(self, request: Request, pk: str | None = None) -> HttpResponse:
        report = self._report(request)
        header = [
            "category",
            "planned",
            "compared_planned",
            "committed",
            "actual",
            "remaining",
            "forecast",
            "variance",
            "recoupable",
        ]
        rows = [[_row(row)[name] for name in header] for row in [*report.rows, report.total]]
        return csv_response(f"budget-{report.budget.pk}-v{report.budget.version}.csv", header, rows)


class BudgetLineSerializer(LineSerializer):
    category = serializers.ChoiceField(choices=Category.choices)

    parent_field, amount_field = "budget", "planned"
    capability, stays = Capability.BUDGET_MANAGE, "A line stays in its budget."

    class Meta:
        model = BudgetLine
        fields = ["id", "budget", "category", "description", "planned"]

    def validate_budget(self, budget: Budget) -> Budget:
        return cast(Budget, self.validate_parent(budget))


class BudgetLineViewSet(LinesViewSet):
    """Lines of a draft budget; an approved version answers 409."""

    serializer_class = BudgetLineSerializer
    filterset_fields = ["budget", "category"]

    def get_queryset(self) -> QuerySet[BudgetLine]:
        return BudgetLine.objects.filter(budget__project__in=self.money_projects()).select_related(
            "budget__project"
        )

    def project_of(self, obj: BudgetLine) -> Project:
        return obj.budget.project

    parent = "budget"
    save_line = staticmethod(services.budget_line_save)
    delete_line = staticmethod(services.budget_line_delete)


# A cost names a song of a project whose money the caller sees; another project's song the
# caller sees is the service's refusal (a cost's song is of the cost's project).
def _taggable_songs(user: AnyUser) -> QuerySet[Song]:
    return Song.objects.filter(project__in=projects_with(user, Capability.BUDGET_VIEW))


class CostSerializer(serializers.ModelSerializer):
    song = ScopedPrimaryKeyRelatedField(
        queryset=Song.objects.none(),
        scope=_taggable_songs,
        required=False,
        allow_null=True,
        help_text="The song the cost was for (a mixing fee per song), of the cost's project.",
    )
    exchange_rate = serializers.DecimalField(
        max_digits=14, decimal_places=6, required=False, min_value=0
    )
    receipt = ScopedFileField(view_name="cost-receipt", required=False)  # media are private

    class Meta:
        model = Cost
        fields = [
            "id",
            "project",
            "category",
            "vendor",
            "date",
            "description",
            "amount",
            "currency",
            "exchange_rate",
            "amount_converted",
            "status",
            "recoupable",
            "song",
            "receipt",
        ]
        read_only_fields = ["amount_converted"]

    def validate_project(self, project: Project) -> Project:
        return require_write_on_parent(
            self,
            project,
            field="project",
            project=project,
            capability=Capability.BUDGET_MANAGE,
            stays="A cost stays with its project.",
        )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        currency = attrs.get("currency") or getattr(self.instance, "currency", None)
        if currency is not None:
            checked_amount(attrs, "amount", currency)
        return attrs


class CostViewSet(viewsets.ModelViewSet, MoneyViewSet):
    """Costs entered by hand, with receipts (PDF, JPEG or PNG, checked by content)."""

    serializer_class = CostSerializer
    filterset_fields = ["project", "category", "status", "recoupable", "currency", "song"]
    search_fields = ["vendor", "description"]
    ordering_fields = ["date", "amount_converted"]

    def get_queryset(self) -> QuerySet[Cost]:
        return Cost.objects.filter(project__in=self.money_projects()).select_related("project")

    def project_of(self, obj: Cost) -> Project:
        return obj.project

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    @action(detail=False, methods=["get"], url_path="export")
    def export(self, request: Request) -> HttpResponse:
        """The filtered costs as CSV for the bookkeeper."""
        header = [
            "date",
            "vendor",
            "category",
            "description",
            "amount",
            "currency",
            "exchange_rate",
            "amount_converted",
            "status",
            "recoupable",
        ]
        costs = self.filter_queryset(self.get_queryset())
        rows = [[getattr(cost, name) for name in header] for cost in costs]
        return csv_response("costs.csv", header, rows)

    def _save(self, serializer: serializers.BaseSerializer[Any], cost: Cost | None) -> None:
        current: dict[str, Any] = {}
        if cost is not None:
            current = {
                "project": cost.project,
                "amount": cost.amount,
                "currency": cost.currency,
                "exchange_rate": cost.exchange_rate,
            }
        data = {**current, **serializer.validated_data}
        serializer.instance = services.cost_save(cost=cost, **data)

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        self._save(serializer, None)

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        self._save(serializer, cast(Cost, serializer.instance))

    def perform_destroy(self, instance: Cost) -> None:
        services.cost_delete(cost=instance)
