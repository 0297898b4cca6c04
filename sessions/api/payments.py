"""Payments engagements produce (approve, pay, export, yearly totals) and payee details."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import ScopedPrimaryKeyRelatedField, request_user
from core.exports import csv_response
from projects.api.access import ProjectRolePermission
from projects.models import Person, Project
from projects.permissions import Capability, projects_showing_pay, projects_with
from sessions import services
from sessions.models import Engagement, PayeeDetails, Payment
from sessions.selectors import payee_year

# --- payee details ----------------------------------------------------------------------------


def _payees_managed_by(user: Any) -> QuerySet[Person]:
    return _payable_people(user, Capability.BUDGET_MANAGE)


def _payable_people(user: Any, capability: Capability) -> QuerySet[Person]:
    """Whose payee details the user reaches: their own, and those of the people engaged on a
    session of a project where the user's role grants ``capability`` over money (their payer).

    Being on one of the user's projects is not enough: anyone who may add members could put a
    stranger on a project of their own and so reach what another production's payer keeps.
    """
    if not user.is_authenticated:
        return Person.objects.none()
    engaged = Engagement.objects.filter(
        session__project__in=projects_with(user, capability)
    ).values("person_id")
    return Person.objects.filter(Q(id__in=engaged) | Q(user_id=user.pk))


class PayeeDetailsSerializer(serializers.ModelSerializer):
    serializer_related_field = ScopedPrimaryKeyRelatedField

    class Meta:
        model = PayeeDetails
        fields = ["id", "person", "tax_status", "vat_number", "legal_name", "address"]
        extra_kwargs = {"person": {"scope": _payees_managed_by}}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        details = PayeeDetails(**{**self._current(), **attrs})
        try:
            details.clean()
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from error
        attrs["vat_number"] = details.vat_number
        return attrs

    def _current(self) -> dict[str, Any]:
        if self.instance is None:
            return {}
        return {
            name: getattr(self.instance, name) for name in ("person", "tax_status", "vat_number")
        }


class PayeeDetailsViewSet(viewsets.ModelViewSet):
    """Tax details of the people you pay (engaged on a session of a project whose money you
    see), and your own: W-9 on file, non-US, or a VAT number (checked). Anyone else's are 404."""

    serializer_class = PayeeDetailsSerializer
    filterset_fields = ["tax_status", "person"]

    def get_queryset(self) -> QuerySet[PayeeDetails]:
        people = _payable_people(self.request.user, Capability.BUDGET_VIEW)
        return PayeeDetails.objects.filter(person__in=people).select_related("person")

    def check_object_permissions(self, request: Request, obj: Any) -> None:
        super().check_object_permissions(request, obj)
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            writable = _payable_people(request.user, Capability.BUDGET_MANAGE)
            if not writable.filter(pk=obj.person_id).exists():
                raise PermissionDenied("Your role does not manage this person's pay.")

    def _save(self, serializer: serializers.BaseSerializer[Any], current: dict[str, Any]) -> None:
        data = {**current, **serializer.validated_data}
        serializer.instance = services.payee_save(
            person=data["person"],
            tax_status=data.get("tax_status", PayeeDetails.TaxStatus.MISSING),
            vat_number=data.get("vat_number", ""),
            legal_name=data.get("legal_name", ""),
            address=data.get("address", ""),
        )

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        self._save(serializer, {})

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        details = cast(PayeeDetails, serializer.instance)
        fields = ("tax_status", "vat_number", "legal_name", "address")
        serializer.validated_data.pop("person", None)  # details stay with their person
        self._save(
            serializer, {"person": details.person, **{n: getattr(details, n) for n in fields}}
        )

    def perform_destroy(self, instance: PayeeDetails) -> None:
        services.payee_details_delete(details=instance)


# --- payments ---------------------------------------------------------------------------------


class PaymentSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    # Read-only fields lose the model's blank=True: said here, so the schema allows "" (not
    # paid yet) beside the methods.
    method = serializers.ChoiceField(
        choices=Payment.Method.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Payment
        fields = [
            "id",
            "engagement",
            "person",
            "person_name",
            "project",
            "amount",
            "currency",
            "status",
            "approved_at",
            "paid_on",
            "method",
            "reference",
            "created_at",
        ]
        read_only_fields = fields


class PayRequest(serializers.Serializer):
    paid_on = serializers.DateField()
    method = serializers.ChoiceField(choices=Payment.Method.choices)
    reference = serializers.CharField(max_length=200, required=False, allow_blank=True)


class YearQuery(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)


class PayeeYearSerializer(serializers.Serializer):
    person_id = serializers.IntegerField()
    name = serializers.CharField()
    currency = serializers.CharField()
    paid = serializers.DecimalField(max_digits=14, decimal_places=2)
    tax_status = serializers.CharField()
    reportable = serializers.BooleanField(help_text="At or above the 1099-NEC threshold.")


class PaymentViewSet(viewsets.ReadOnlyModelViewSet):
    """What people are owed for their engagements; approve, then pay."""

    serializer_class = PaymentSerializer
    permission_classes = [IsAuthenticated, ProjectRolePermission]
    filterset_fields = ["person", "project", "status", "currency"]
    ordering_fields = ["created_at", "amount", "paid_on"]
    write_capability = Capability.BUDGET_MANAGE
    action_capabilities: dict[str, Capability] = {}

    def get_queryset(self) -> QuerySet[Payment]:
        return Payment.objects.filter(
            project__in=projects_showing_pay(self.request.user)
        ).select_related("person")

    def project_of(self, obj: Payment) -> Project:
        return obj.project

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    @action(detail=False, methods=["get"])
    def export(self, request: Request) -> HttpResponse:
        """The filtered payments as CSV for the bookkeeper."""
        header = [
            "created",
            "person",
            "project",
            "amount",
            "currency",
            "status",
            "paid_on",
            "method",
            "reference",
        ]
        payments = self.filter_queryset(self.get_queryset()).select_related("project")
        rows = (
            [
                p.created_at.date(),
                p.person.name,
                p.project.title,
                p.amount,
                p.currency,
                p.status,
                p.paid_on or "",
                p.method,
                p.reference,
            ]
            for p in payments
        )
        return csv_response("payments.csv", header, rows)

    @extend_schema(parameters=[YearQuery], responses=PayeeYearSerializer(many=True))
    # One row per person for the year, never paged: the schema must not wrap it in a page.
    @action(detail=False, methods=["get"], pagination_class=None)
    def yearly(self, request: Request) -> Response:
        """What each person was paid in a year, flagging 1099-NEC reportable totals."""
        query = YearQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        year = query.validated_data["year"]
        rows = payee_year(user=request.user, year=year)
        return Response(PayeeYearSerializer([asdict(row) for row in rows], many=True).data)

    @extend_schema(request=None, responses=PaymentSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        payment = services.payment_approve(payment=self.get_object(), by=request_user(request))
        return Response(self.get_serializer(payment).data)

    @extend_schema(request=PayRequest, responses=PaymentSerializer)
    @action(detail=True, methods=["post"])
    def pay(self, request: Request, pk: str | None = None) -> Response:
        payment = self.get_object()
        body = PayRequest(data=request.data)
        body.is_valid(raise_exception=True)
        paid = services.payment_pay(payment=payment, **body.validated_data)
        return Response(self.get_serializer(paid).data)
