"""REST API of sessions: rate rules, sessions, engagements (with quotes), takes, gear checks,
and the payments engagements produce."""

from __future__ import annotations

import csv
from dataclasses import asdict
from decimal import Decimal
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

from sessions import pdf, rates, services
from sessions.models import (
    Engagement,
    GearCheck,
    PayeeDetails,
    Payment,
    PayStatement,
    RateRule,
    Session,
    Take,
)
from sessions.selectors import payee_year, session_sheet
from studio.api.fields import AwareDateTimeField
from studio.api_base import ProjectRolePermission, request_user, require_capability
from studio.models import Booking, Gear, Person, Project, Room
from studio.permissions import (
    Capability,
    people_visible,
    projects_visible,
    projects_with,
    studios_visible,
)


def _pdf_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _money_projects(user: Any) -> set[int]:
    """Projects on which the user may see what people are paid: money is need-to-know
    (studio/permissions.py), so running a session does not show its pay."""
    return set(projects_with(user, Capability.BUDGET_VIEW).values_list("pk", flat=True))


# --- rate rules -------------------------------------------------------------------------------


class RateRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = RateRule
        fields = ["id", "project", "name", "kind", "currency", "params", "source", "verified"]
        read_only_fields = ["verified"]
        # Presets (no project) come with the app; a rule written here belongs to a project.
        extra_kwargs = {"project": {"required": True, "allow_null": False}}

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


# --- sessions ---------------------------------------------------------------------------------


class SessionSerializer(serializers.ModelSerializer):
    start = AwareDateTimeField(required=False)
    end = AwareDateTimeField(required=False)

    class Meta:
        model = Session
        fields = ["id", "project", "booking", "room", "title", "start", "end", "status", "notes"]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            mine = projects_visible(request.user)
            fields["booking"].queryset = Booking.objects.filter(project__in=mine)  # type: ignore[attr-defined]
            fields["room"].queryset = Room.objects.filter(studio__in=studios_visible(request.user))  # type: ignore[attr-defined]
        return fields

    def validate_project(self, project: Project) -> Project:
        if self.instance is not None and project != self.instance.project:
            raise serializers.ValidationError("A session stays with its project.")
        require_capability(self.context["request"].user, project, Capability.SESSIONS_MANAGE)
        return project

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start = attrs.get("start", getattr(self.instance, "start", None))
        end = attrs.get("end", getattr(self.instance, "end", None))
        if start and end and end <= start:
            raise serializers.ValidationError({"end": "The end must be after the start."})
        return attrs


class SessionViewSet(viewsets.ModelViewSet):
    serializer_class = SessionSerializer
    permission_classes = [IsAuthenticated, ProjectRolePermission]
    filterset_fields = ["project", "booking", "room", "status"]
    search_fields = ["title", "notes"]
    ordering_fields = ["start", "title"]
    write_capability = Capability.SESSIONS_MANAGE
    action_capabilities: dict[str, Capability] = {}

    def get_queryset(self) -> QuerySet[Session]:
        return Session.objects.filter(project__in=projects_visible(self.request.user))

    def project_of(self, obj: Session) -> Project:
        return obj.project

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        serializer.instance = services.session_create(**serializer.validated_data)

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        session = cast(Session, serializer.instance)
        serializer.instance = services.session_update(session=session, **serializer.validated_data)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def report(self, request: Request, pk: str | None = None) -> HttpResponse:
        """The session report as a PDF: players, times, instruments, songs recorded."""
        session = self.get_object()
        sheet = session_sheet(session=session)
        body = pdf.session_report(session, sheet.engagements, sheet.takes)
        return _pdf_response(body, f"session-{session.pk}-report.pdf")


# --- engagements ------------------------------------------------------------------------------


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

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            mine = projects_visible(request.user)
            fields["session"].queryset = Session.objects.filter(project__in=mine)  # type: ignore[attr-defined]
            fields["person"].queryset = people_visible(request.user)  # type: ignore[attr-defined]
            fields["rate_rule"].queryset = RateRule.objects.filter(  # type: ignore[attr-defined]
                Q(project__isnull=True) | Q(project__in=mine)
            )
        return fields

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
        if self.instance is not None and session != self.instance.session:
            raise serializers.ValidationError("An engagement stays on its session.")
        require_capability(
            self.context["request"].user, session.project, Capability.SESSIONS_MANAGE
        )
        return session


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
        context["money_projects"] = _money_projects(self.request.user)
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
        if engagement.session.project_id not in _money_projects(request.user):
            raise PermissionDenied("Your role on this project does not see pay.")
        body = pdf.pay_statement(engagement)
        return _pdf_response(body, f"pay-statement-{engagement.pk}.pdf")

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
        if engagement.session.project_id not in _money_projects(request.user):
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


# --- takes and gear checks --------------------------------------------------------------------


class OnSessionSerializer(serializers.ModelSerializer):
    """A record that hangs off a session of the caller's projects (and stays on it)."""

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["session"].queryset = Session.objects.filter(  # type: ignore[attr-defined]
                project__in=projects_visible(request.user)
            )
        return fields

    def validate_session(self, session: Session) -> Session:
        if self.instance is not None and session != self.instance.session:
            raise serializers.ValidationError("It stays on its session: record a new one.")
        user = self.context["request"].user
        require_capability(user, session.project, Capability.SESSIONS_MANAGE)
        return session


class OnSessionViewSet(viewsets.ModelViewSet):
    """Scoped through the session's project; written by roles that run sessions."""

    permission_classes = [IsAuthenticated, ProjectRolePermission]
    write_capability = Capability.SESSIONS_MANAGE
    action_capabilities: dict[str, Capability] = {}
    related: tuple[str, ...] = ("session",)

    def get_queryset(self) -> QuerySet[Any]:
        model = self.get_serializer_class().Meta.model  # type: ignore[attr-defined]
        return model.objects.filter(
            session__project__in=projects_visible(self.request.user)
        ).select_related(*self.related)

    def project_of(self, obj: Any) -> Project:
        return cast(Project, obj.session.project)


class TakeSerializer(OnSessionSerializer):
    number = serializers.IntegerField(min_value=1, max_value=2_147_483_647, required=False)
    rating = serializers.IntegerField(min_value=0, max_value=5, required=False, allow_null=True)
    recorded_at = AwareDateTimeField(required=False, allow_null=True)

    class Meta:
        model = Take
        fields = ["id", "session", "song", "number", "recorded_at", "notes", "rating", "keeper"]
        validators: list[Any] = []


class TakeViewSet(OnSessionViewSet):
    serializer_class = TakeSerializer
    filterset_fields = ["session", "song", "keeper"]

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        serializer.instance = services.take_create(**serializer.validated_data)

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        take = cast(Take, serializer.instance)
        serializer.instance = services.take_update(take=take, **serializer.validated_data)


class GearCheckSerializer(OnSessionSerializer):
    class Meta:
        model = GearCheck
        fields = ["id", "session", "gear", "result", "note", "checked_at"]
        read_only_fields = ["checked_at"]
        validators: list[Any] = []

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["gear"].queryset = Gear.objects.filter(studio__in=studios_visible(request.user))
        return fields

    def validate_gear(self, gear: Gear) -> Gear:
        # A check is of one item: another item is another check, not an edit of this one.
        if self.instance is not None and gear != self.instance.gear:
            raise serializers.ValidationError("A check stays with its gear: record a new one.")
        return gear


class GearCheckViewSet(OnSessionViewSet):
    """The room's gear checked for a session; a fault sends the item to service."""

    serializer_class = GearCheckSerializer
    filterset_fields = ["session", "gear", "result"]
    related = ("session", "gear")

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        serializer.instance = services.gear_check_record(**serializer.validated_data)

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        check = cast(GearCheck, serializer.instance)
        data: dict[str, Any] = {
            "session": check.session,
            "gear": check.gear,
            "result": check.result,
            "note": check.note,
        }
        data.update(serializer.validated_data)
        serializer.instance = services.gear_check_record(**data)


# --- payee details ----------------------------------------------------------------------------


class PayeeDetailsSerializer(serializers.ModelSerializer):
    class Meta:
        model = PayeeDetails
        fields = ["id", "person", "tax_status", "vat_number", "legal_name", "address"]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["person"].queryset = _payable_people(request.user, Capability.BUDGET_MANAGE)  # type: ignore[attr-defined]
        return fields

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


# --- payments ---------------------------------------------------------------------------------


class PaymentSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)

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
            project__in=projects_with(self.request.user, Capability.BUDGET_VIEW)
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
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="payments.csv"'
        writer = csv.writer(response)
        writer.writerow(header)
        payments = self.filter_queryset(self.get_queryset()).select_related("project")
        for p in payments:
            writer.writerow(
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
            )
        return response

    @extend_schema(parameters=[YearQuery], responses=PayeeYearSerializer(many=True))
    @action(detail=False, methods=["get"])
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


__all__ = [
    "EngagementViewSet",
    "GearCheckViewSet",
    "PaymentViewSet",
    "RateRuleViewSet",
    "SessionViewSet",
    "TakeViewSet",
]
