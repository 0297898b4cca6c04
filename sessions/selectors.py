"""Reads across sessions and pay: the session sheet, a project's pay summary, the year's payees."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum

from core.money import round_money
from projects.models import Project
from projects.permissions import projects_showing_pay, projects_visible
from sessions.models import (
    Engagement,
    GearCheck,
    PayeeDetails,
    Payment,
    RateRule,
    Session,
    Take,
)
from songs.models import Part, Song
from studio.models import Gear, Room

if TYPE_CHECKING:
    from core.users import AnyUser

# IRS Form 1099-NEC: nonemployee compensation is reported from $600 for payments made through
# 31 Dec 2025, and from $2,000 for payments made after that date.
NEC_THRESHOLD_FROM_2026 = Decimal(2000)
NEC_THRESHOLD_BEFORE = Decimal(600)


def sessions_visible(user: AnyUser) -> QuerySet[Session]:
    """The sessions of the user's projects."""
    return Session.objects.filter(project__in=projects_visible(user))


def rate_rules_visible(user: AnyUser) -> QuerySet[RateRule]:
    """The shared rate rules, and those of the user's projects."""
    return RateRule.objects.filter(Q(project__isnull=True) | Q(project__in=projects_visible(user)))


def studio_uses(rooms: QuerySet[Room], gear: QuerySet[Gear]) -> list[str]:
    """The sessions held in ``rooms`` and the checks of ``gear``, as phrases for a refusal to
    delete them (registered with studio.services.studios from RecordingConfig.ready())."""
    sessions = Session.objects.filter(room__in=rooms).count()
    checks = GearCheck.objects.filter(gear__in=gear).count()
    return [
        f"{count} {noun}{'' if count == 1 else 's'}"
        for count, noun in ((sessions, "session"), (checks, "gear check"))
        if count
    ]


def nec_threshold(year: int) -> Decimal:
    return NEC_THRESHOLD_FROM_2026 if year >= 2026 else NEC_THRESHOLD_BEFORE


@dataclass
class SessionSheet:
    session: Session
    engagements: list[Engagement]
    takes: list[Take]
    checks: list[GearCheck]
    unchecked: list[Gear] = field(default_factory=list)
    totals: dict[str, Decimal] = field(default_factory=dict)


def session_sheet(*, session: Session) -> SessionSheet:
    """Everything on a session sheet in four queries, whatever the number of players and takes:
    the players, the takes, the gear checked, and the room's gear still to check."""
    engagements = list(
        session.engagements.select_related("person", "rate_rule", "payment").order_by(
            "role", "person__name"
        )
    )
    takes = list(session.takes.select_related("part").order_by("song_name", "number"))
    checks = list(session.gear_checks.select_related("gear").order_by("gear__name"))
    unchecked = (
        list(
            Gear.objects.filter(room=session.room_id)
            .exclude(pk__in=[check.gear_id for check in checks])
            .order_by("name")
        )
        if session.room_id
        else []
    )
    totals: dict[str, Decimal] = {}
    for item in engagements:
        totals[item.currency] = totals.get(item.currency, Decimal(0)) + item.fee
    return SessionSheet(session, engagements, takes, checks, unchecked, totals)


@dataclass
class PersonPay:
    person_id: int
    name: str
    currency: str
    pending: Decimal = Decimal("0.00")
    approved: Decimal = Decimal("0.00")
    paid: Decimal = Decimal("0.00")

    @property
    def owed(self) -> Decimal:
        return self.pending + self.approved


def pay_summary(*, project: Project) -> list[PersonPay]:
    """Per person and currency on the project: pending, approved and paid, in one query.

    Amounts of different currencies are never added together.
    """
    rows = (
        Payment.objects.filter(project=project)
        .values("person_id", "person__name", "currency", "status")
        .annotate(total=Sum("amount"))
        .order_by("person__name", "currency")
    )
    summary: dict[tuple[int, str], PersonPay] = {}
    for row in rows:
        key = (row["person_id"], row["currency"])
        entry = summary.setdefault(
            key, PersonPay(row["person_id"], row["person__name"], row["currency"])
        )
        # SQLite sums decimals as floats; round to the currency again.
        setattr(entry, row["status"], round_money(row["total"], row["currency"]))
    return list(summary.values())


@dataclass
class PayeeYear:
    person_id: int
    name: str
    currency: str
    paid: Decimal
    tax_status: str
    reportable: bool


def payee_year(*, user: AnyUser, year: int) -> list[PayeeYear]:
    """What each person was paid in ``year`` (by payment date) on the user's projects where they
    see money, flagging US-dollar totals at or above the 1099-NEC threshold for that year."""
    start, end = datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)
    rows = (
        Payment.objects.filter(
            project__in=projects_showing_pay(user),
            status=Payment.Status.PAID,
            paid_on__gte=start,
            paid_on__lt=end,
        )
        .values("person_id", "person__name", "currency")
        .annotate(paid=Sum("amount"))
        .order_by("person__name", "currency")
    )
    statuses = dict(
        PayeeDetails.objects.filter(person_id__in={row["person_id"] for row in rows}).values_list(
            "person_id", "tax_status"
        )
    )
    threshold = nec_threshold(year)
    report = []
    for row in rows:
        status = statuses.get(row["person_id"], PayeeDetails.TaxStatus.MISSING)
        us_payee = status in (PayeeDetails.TaxStatus.W9_ON_FILE, PayeeDetails.TaxStatus.MISSING)
        report.append(
            PayeeYear(
                person_id=row["person_id"],
                name=row["person__name"],
                currency=row["currency"],
                paid=round_money(row["paid"], row["currency"]),
                tax_status=status,
                reportable=row["currency"] == "USD" and us_payee and row["paid"] >= threshold,
            )
        )
    return report


def take_pickers(
    *, project: Project, session: Session | None = None
) -> tuple[list[Song], list[Part]]:
    """The take form's choices: the project's songs (by title) and its parts (sheet order).
    With a session, each song says whether it is planned for it (``planned``), read in the
    same query."""
    # The stubs type the through model as Song: it is read untyped.
    through: Any = Session.songs.through
    planned = through.objects.filter(
        session_id=session.pk if session else None, song_id=OuterRef("pk")
    )
    songs: list[Song] = list(
        Song.objects.filter(project=project)
        .only("id", "title")
        .annotate(planned=Exists(planned))
        .order_by("title")
    )
    parts = list(Part.objects.filter(project=project).order_by("position", "id"))
    return songs, parts


def next_take_number(*, takes: list[Take], song_name: str) -> int:
    """The number the next take of ``song_name`` gets (as take_create numbers it), from the
    takes already read for the sheet."""
    return max((take.number for take in takes if take.song_name == song_name), default=0) + 1
