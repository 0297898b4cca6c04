"""Engagements: who played, priced by their rule, with quotes and pay statements."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import ScopedPrimaryKeyRelatedField
from projects.api.access import ProjectRolePermission, require_write_on_parent
from projects.models import Project
from projects.permissions import Capability, people_visible, projects_visible
from sessions import pdf, rates, services
from sessions.api.common import money_projects, pdf_response
from sessions.models import Engagement, PayStatement, Session
from sessions.selectors import rate_rules_visible, sessions_visible


class FeeLineSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    employer = serializers.BooleanField()


class QuoteSerializer(serializers.Serializer):
    wages = serializers.DecimalField(max_digits=12, decimal_places=2)
    employer_contributions = serializers.DecimalField(max_digits=12, decimal_places=2)
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()
    stub = serializers.CharField()
    lines = FeeLineSerializer(many=True)


def _quote_json(fee: rates.Fee) -> dict[str, Any]:
    return {
        "wages": fee.wages,
        "employer_contributions": fee.employer,
        "total": fee.total,
        "currency": fee.currency,
        "stub": fee.stub(),
        "lines": [line.as_json() for line in fee.lines],
    }


class EngagementSerializer(serializers.ModelSerializer):
    serializer_related_field = ScopedPrimaryKeyRelatedField
    doubles = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, max_length=10
    )
    cartage = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, max_length=20
    )
    hours = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal(0), max_value=Decimal(24)
    )
    payment_status = serializers.SerializerMethodField()

    MONEY = ("wages", "employer_contributions", "fee", "fee_lines", "currency")

    class Meta:
        model = Engagement
        fields = [
            "id",
            "session",
            "person",
            "role",
            "instrument",
            "doubles",
            "hours",
            "cartage",
            "rate_rule",
            "wages",
            "employer_contributions",
            "fee",
            "fee_lines",
            "currency",
            "payment_status",
        ]
        read_only_fields = ["wages", "employer_contributions", "fee", "fee_lines", "currency"]
        validators: list[Any] = []  # the service names the duplicate person and role
        extra_kwargs = {
            "session": {"scope": sessions_visible},
            "person": {"scope": people_visible},
            "rate_rule": {"scope": rate_rules_visible},
        }

    def get_payment_status(self, engagement: Engagement) -> str | None:
        payment = getattr(engagement, "payment", None)
        return payment.status if payment is not None else None

    def to_representation(self, instance: Engagement) -> dict[str, Any]:
        data = super().to_representation(instance)
        if instance.session.project_id not in self.context["money_projects"]:
            for name in (*self.MONEY, "payment_status"):
                data[name] = None
        return data

    def validate_session(self, session: Session) -> Session:
        return require_write_on_parent(
            self,
            session,
            field="session",
            project=session.project,
            capability=Capability.SESSIONS_MANAGE,
            stays="An engagement stays on its session.",
        )


class PayStatementSerializer(serializers.ModelSerializer):
    class Meta:
        model = PayStatement
        fields = [
            "id",
            "engagement",
            "number",
            "issued_on",
            "payer_name",
            "payer_address",
            "payer_tax_id",
        ]
        read_only_fields = ["engagement", "number", "issued_on"]
        # Left out, the payer is the one on the project's last statement, else its client.
        extra_kwargs = {
            "payer_name": {"required": False, "allow_blank": True},
            "payer_address": {"required": False, "allow_blank": True},
        }


class EngagementViewSet(viewsets.ModelViewSet):
    """Who played on a session, and what it pays. A collision of the money is a 409."""

    serializer_class = EngagementSerializer
    permission_classes = [IsAuthenticated, ProjectRolePermission]
    filterset_fields = ["session", "person", "role", "session__project"]
    write_capability = Capability.SESSIONS_MANAGE
    # Numbering a statement is a money write, like approving the payment behind it.
    action_capabilities: dict[str, Capability] = {"issue_statement": Capability.BUDGET_MANAGE}

    def get_queryset(self) -> QuerySet[Engagement]:
        return Engagement.objects.filter(
            session__project__in=projects_visible(self.request.user)
        ).select_related("session", "person", "rate_rule", "payment")

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["money_projects"] = money_projects(self.request.user)
        return context

    def project_of(self, obj: Engagement) -> Project:
        return obj.session.project

    def _save(
        self, serializer: serializers.BaseSerializer[Any], engagement: Engagement | None
    ) -> None:
        fields = (
            "session",
            "person",
            "rate_rule",
            "role",
            "hours",
            "instrument",
            "doubles",
            "cartage",
        )
        current: dict[str, Any] = (
            {name: getattr(engagement, name) for name in fields}
            if engagement is not None
            else {"role": Engagement.Role.MUSICIAN, "instrument": "", "doubles": [], "cartage": []}
        )
        saved = services.engagement_save(
            engagement=engagement, **{**current, **serializer.validated_data}
        )
        serializer.instance = self.get_queryset().get(pk=saved.pk)

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        self._save(serializer, None)

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        self._save(serializer, cast(Engagement, serializer.instance))

    def perform_destroy(self, instance: Engagement) -> None:
        services.engagement_delete(engagement=instance)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def statement(self, request: Request, pk: str | None = None) -> HttpResponse:
        """The player's pay statement for this session, as a PDF."""
        engagement = self.get_object()
        if engagement.session.project_id not in money_projects(request.user):
            raise PermissionDenied("Your role on this project does not see pay.")
        body = pdf.pay_statement(engagement)
        return pdf_response(body, f"pay-statement-{engagement.pk}.pdf")

    @extend_schema(request=PayStatementSerializer, responses={201: PayStatementSerializer})
    @action(detail=True, methods=["post"], url_path="statement/issue")
    def issue_statement(self, request: Request, pk: str | None = None) -> Response:
        """Number and date the player's pay statement and name who pays; the payment must be
        approved first (409), and a statement is issued once (409)."""
        engagement = self.get_object()
        body = PayStatementSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        statement = services.pay_statement_issue(engagement=engagement, **body.validated_data)
        return Response(PayStatementSerializer(statement).data, status=201)

    @extend_schema(request=None, responses=QuoteSerializer)
    @action(detail=True, methods=["get"])
    def quote(self, request: Request, pk: str | None = None) -> Response:
        """The fee and its breakdown under the rule as it is now, without saving anything."""
        engagement = self.get_object()
        if engagement.session.project_id not in money_projects(request.user):
            raise PermissionDenied("Your role on this project does not see pay.")
        fee = services.engagement_quote(
            session=engagement.session,
            person=engagement.person,
            rate_rule=engagement.rate_rule,
            role=engagement.role,
            hours=engagement.hours,
            instrument=engagement.instrument,
            doubles=engagement.doubles,
            cartage=engagement.cartage,
        )
        return Response(QuoteSerializer(_quote_json(fee)).data)
