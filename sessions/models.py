"""Recording sessions: who played what, for how long, at which rate, and what they are owed.

``Payment`` lives here, beside the engagement that produces it, so that the arrows stay one
way: budgets reads payments as committed and actual money, sessions never imports budgets.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from stdnum.eu import vat
from stdnum.exceptions import ValidationError as StdnumError

from core.errors import Conflict
from core.money import validate_currency
from projects.models import Person, Project
from sessions import rates
from songs.models import Part, Song
from studio.models import Booking, Gear, Room


class RateRule(models.Model):
    """How a player is paid: flat, hourly with a minimum call, by the day, or union scale.

    A rule without a project is a preset every project may use; a project's own rules are its
    own. ``params`` holds the kind's parameters (sessions.rates.SCHEMAS) as decimal strings.
    """

    class Kind(models.TextChoices):
        FLAT = rates.FLAT, "Flat fee"
        HOURLY = rates.HOURLY, "Hourly with minimum call"
        DAY = rates.DAY, "Day rate"
        UNION = rates.UNION, "Union scale"

    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.CASCADE, related_name="rate_rules"
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    currency = models.CharField(max_length=3, default="USD", validators=[validate_currency])
    params = models.JSONField(default=dict)
    source = models.TextField(blank=True, help_text="Where the numbers come from.")
    verified = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=rates.KINDS), name="raterule_kind_known"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        try:
            rates.validate_params(self.kind, self.params, currency=self.currency)
        except rates.RuleError as error:
            raise ValidationError({"params": str(error)}) from error


class Session(models.Model):
    """A recording session: on a booking (its room, times and project) or standalone."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="sessions")
    booking = models.ForeignKey(
        Booking, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    room = models.ForeignKey(
        Room, null=True, blank=True, on_delete=models.PROTECT, related_name="sessions"
    )
    title = models.CharField(max_length=200)
    start = models.DateTimeField()
    end = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    notes = models.TextField(blank=True)
    # Songs planned for this session (of its project: the session service checks); the board
    # shows each song's next planned session.
    songs: models.ManyToManyField[Song, Song] = models.ManyToManyField(
        Song, blank=True, related_name="planned_sessions"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="session_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.start:%Y-%m-%d})"

    @property
    def zone(self) -> datetime.tzinfo:
        """The zone its times are read in: its studio's; UTC for a session without a room."""
        return self.room.studio.zone if self.room is not None else datetime.UTC


class Engagement(models.Model):
    """A person on a session: their role, what they played, their hours, and the rule that
    prices it. ``fee`` and ``fee_lines`` are the rule's answer, kept as it was computed."""

    class Role(models.TextChoices):
        MUSICIAN = "musician", "Musician"
        VOCALIST = "vocalist", "Vocalist"
        LEADER = "leader", "Leader"
        CONTRACTOR = "contractor", "Contractor"
        ENGINEER = "engineer", "Engineer"
        ASSISTANT = "assistant", "Assistant"
        ARRANGER = "arranger", "Arranger"
        COPYIST = "copyist", "Copyist"

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="engagements")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="engagements")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MUSICIAN)
    instrument = models.CharField(max_length=100, blank=True)
    doubles = models.JSONField(default=list, blank=True, help_text="Extra instruments played.")
    hours = models.DecimalField(max_digits=5, decimal_places=2)
    cartage = models.JSONField(default=list, blank=True, help_text="Instruments carted.")
    rate_rule = models.ForeignKey(RateRule, on_delete=models.PROTECT, related_name="engagements")
    wages = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    employer_contributions = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal(0)
    )
    fee = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    fee_lines = models.JSONField(default=list, blank=True)
    currency = models.CharField(max_length=3, default="USD")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session_id", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "person", "role"], name="engagement_unique_role"
            ),
            models.CheckConstraint(
                condition=Q(hours__gte=0) & Q(hours__lte=24), name="engagement_hours_sane"
            ),
            models.CheckConstraint(
                condition=Q(fee__gte=0) & Q(wages__gte=0) & Q(employer_contributions__gte=0),
                name="engagement_fee_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()}) on {self.session}"


class Take(models.Model):
    """One take of a song: the log a producer comps from."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="takes")
    # The name the take was logged under; numbers run per name in a session. It stays when
    # the board's song is deleted, so the log still reads.
    song_name = models.CharField(max_length=200)
    # The board's song (on the session's project: the take service checks and keeps the two
    # in step: a take logged by name finds or creates its song).
    song = models.ForeignKey(
        Song, null=True, blank=True, on_delete=models.SET_NULL, related_name="takes"
    )
    # The part of the tracking sheet it recorded (on the session's project); a keeper take
    # of a song's part marks that cell recorded.
    part = models.ForeignKey(
        Part, null=True, blank=True, on_delete=models.SET_NULL, related_name="takes"
    )
    number = models.PositiveIntegerField()
    recorded_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    keeper = models.BooleanField(default=False)

    class Meta:
        ordering = ["session_id", "song_name", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "song_name", "number"], name="take_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__lte=5), name="take_rating_0_to_5"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="take_number_from_1"),
        ]

    def __str__(self) -> str:
        return f"{self.song_name} take {self.number}"


class GearCheck(models.Model):
    """An item of the room's gear checked for a session; a fault sends it to service."""

    class Result(models.TextChoices):
        OK = "ok", "OK"
        FAULT = "fault", "Fault"

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="gear_checks")
    gear = models.ForeignKey(Gear, on_delete=models.CASCADE, related_name="checks")
    result = models.CharField(max_length=10, choices=Result.choices, default=Result.OK)
    note = models.TextField(blank=True)
    checked_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["session_id", "gear_id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "gear"], name="gearcheck_unique_item"),
        ]

    def __str__(self) -> str:
        return f"{self.gear}: {self.get_result_display()}"


class Payment(models.Model):
    """What a person is owed for an engagement: pending, then approved, then paid.

    Once approved the amount is fixed: the engagement behind it can no longer change.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        PAID = "paid", "Paid"

    class Method(models.TextChoices):
        BANK_TRANSFER = "bank_transfer", "Bank transfer"
        CHECK = "check", "Check"
        CASH = "cash", "Cash"
        PAYROLL = "payroll", "Payroll"
        OTHER = "other", "Other"

    engagement = models.OneToOneField(Engagement, on_delete=models.PROTECT, related_name="payment")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="payments")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, validators=[validate_currency])
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    paid_on = models.DateField(null=True, blank=True)
    method = models.CharField(max_length=20, choices=Method.choices, blank=True)
    reference = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="payment_amount_not_negative"),
            models.CheckConstraint(
                condition=~Q(status="paid") | (Q(paid_on__isnull=False) & ~Q(method="")),
                name="payment_paid_has_date_and_method",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} to {self.person} ({self.get_status_display()})"


class PayeeDetails(models.Model):
    """Tax details of a person who is paid: what the bookkeeper needs at year end."""

    class TaxStatus(models.TextChoices):
        W9_ON_FILE = "w9", "W-9 on file (US)"
        NON_US = "non_us", "Non-US (W-8)"
        VAT = "vat", "VAT registered"
        MISSING = "missing", "Missing"

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="payee")
    tax_status = models.CharField(
        max_length=10, choices=TaxStatus.choices, default=TaxStatus.MISSING
    )
    vat_number = models.CharField(max_length=40, blank=True)
    legal_name = models.CharField(max_length=200, blank=True)
    address = models.TextField(blank=True)

    class Meta:
        ordering = ["person__name", "id"]
        verbose_name_plural = "payee details"
        constraints = [
            models.CheckConstraint(
                condition=~Q(tax_status="vat") | ~Q(vat_number=""), name="payee_vat_has_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.get_tax_status_display()}"

    def clean(self) -> None:
        if self.tax_status == self.TaxStatus.VAT:
            try:
                self.vat_number = vat.validate(self.vat_number)
            except StdnumError as error:
                raise ValidationError(
                    {"vat_number": f"Not a valid EU VAT number: {error}."}
                ) from error


class FrozenPayStatement(Conflict):
    def __init__(self, statement: PayStatement) -> None:
        super().__init__(
            f"Pay statement {statement.number} is issued: it never changes.",
            code="pay_statement_frozen",
        )


class PayStatement(models.Model):
    """The numbered pay statement of one engagement, issued once its payment is approved (from
    then on the amount cannot change), with the payer's name and address copied onto it.

    Numbering: gapless per project and calendar year of issue, ``PS-<project id>-<year>-0001``.
    Per project rather than per payer because the project is what pays its players (its
    client, label or production company) and is known on every engagement; a payer who runs
    several projects keeps one clear series per production. Numbers are taken under the
    project's row lock, and a statement is never changed or deleted, so none goes missing.
    """

    engagement = models.OneToOneField(
        Engagement, on_delete=models.PROTECT, related_name="pay_statement"
    )
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="pay_statements")
    year = models.PositiveIntegerField()
    sequence = models.PositiveIntegerField()
    number = models.CharField(max_length=30, unique=True)
    issued_on = models.DateField()
    payer_name = models.CharField(max_length=200)
    payer_address = models.TextField()
    payer_tax_id = models.CharField(
        max_length=40, blank=True, help_text="The payer's VAT or employer number, if any."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project_id", "year", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "year", "sequence"], name="paystatement_unique_sequence"
            ),
            models.CheckConstraint(condition=Q(sequence__gte=1), name="paystatement_from_1"),
        ]

    def __str__(self) -> str:
        return self.number

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise FrozenPayStatement(self)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise FrozenPayStatement(self)
