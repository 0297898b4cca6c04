"""The project hub: bookings with their sessions, the money headline, open payments and
invoices, release readiness and people, each for the roles that see it, in a pinned number of
queries with 1 and with 20 of everything."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from budgets.models import Budget, BudgetLine, Category, Invoice, InvoiceLine
from budgets.models.billing import BillingMilestone, BillingPlan
from projects.models import Project, Role
from releases.models import Release
from sessions.models import Engagement, Payment, RateRule, Session
from studio.models import Booking
from tests.factories import MembershipFactory, PersonFactory, RoomFactory, UserFactory
from tests.releases.factories import ReleaseFactory, TrackFactory

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def fill(project: Project, n: int) -> None:
    """n of each: confirmed bookings ahead (each with a session), open payments, open invoices
    (with a line, each a reached milestone of the billing plan), releases (with a track),
    contacts; and one approved budget and a billing plan with a milestone still to come."""
    room = RoomFactory.create(studio__currency="EUR")
    project.studios.add(room.studio)
    rule = RateRule.objects.create(name="Flat", kind="flat", currency="EUR", params={})
    start = timezone.now() + datetime.timedelta(days=1)
    budget = Budget.objects.create(
        project=project, version=1, currency="EUR", approved_at=timezone.now()
    )
    BudgetLine.objects.create(budget=budget, category=Category.STUDIO_TIME, planned=Decimal(5000))
    plan = BillingPlan.objects.create(
        project=project,
        currency="EUR",
        total_fee=Decimal(8000),
        issuer_name="Harbour Lane Productions",
        issuer_address="Harbour Lane 12\n20457 Hamburg",
        recipient_name="Quay Records",
        recipient_address="Quay Street 4\nBristol",
    )
    BillingMilestone.objects.create(
        plan=plan, kind="master_delivered", label="Masters delivered", percent=25, position=99
    )
    for i in range(n):
        begin = start + datetime.timedelta(hours=3 * i)
        booking = Booking.objects.create(
            room=room,
            project=project,
            title=f"Tracking {i}",
            start=begin,
            end=begin + datetime.timedelta(hours=2),
            status=Booking.Status.CONFIRMED,
            quoted_amount=Decimal("100.00"),
        )
        session = Session.objects.create(
            project=project,
            booking=booking,
            room=room,
            title=f"Drums {i}",
            start=booking.start,
            end=booking.end,
        )
        person = PersonFactory.create(name=f"Player {i}", projects=[project])
        engagement = Engagement.objects.create(
            session=session, person=person, hours=Decimal(2), rate_rule=rule, currency="EUR"
        )
        Payment.objects.create(
            engagement=engagement,
            person=person,
            project=project,
            amount=Decimal("150.00"),
            currency="EUR",
        )
        invoice = Invoice.objects.create(
            project=project,
            currency="EUR",
            issuer_key=f"test-{project.pk}",
            issuer_name="Harbour Lane Productions",
            issuer_address="Harbour Lane 12\n20457 Hamburg",
            recipient_name=f"Label {i}",
            recipient_address="Quay Street 4\nBristol",
        )
        BillingMilestone.objects.create(
            plan=plan,
            kind="deposit",
            label=f"Instalment {i}",
            amount=Decimal("1000.00"),
            position=i,
            reached_at=timezone.now(),
            invoice=invoice,
        )
        InvoiceLine.objects.create(
            invoice=invoice,
            description="Production",
            quantity=Decimal(1),
            unit_price=Decimal("1000.00"),
            tax_rate=Decimal(19),
        )
        TrackFactory.create(release=ReleaseFactory.create(project=project, title=f"Single {i}"))


@pytest.fixture
def producer() -> Any:
    return UserFactory.create(username="prod")


def hub_of(producer: Any, n: int) -> Project:
    project = Project.objects.create(title=f"Hub {n}", artist="Wren")
    MembershipFactory.create(project=project, user=producer, role=Role.PRODUCER)
    fill(project, n)
    return project


def test_hub_shows_each_panel(producer: Any) -> None:
    project = hub_of(producer, 1)
    page = signed_in(producer).get(f"/projects/{project.pk}/").content.decode()
    booking = Booking.objects.get(project=project)
    session = Session.objects.get(project=project)
    # The booking on the calendar (its room), and its session.
    assert f"/calendar/?room={booking.room_id}&amp;date=" in page
    assert f"#booking-{booking.pk}" in page
    assert f'href="/sessions/{session.pk}/"' in page
    # The budget headline: planned 5000, committed 100 (the confirmed quote) + 0, remaining.
    assert "5000.00 EUR" in page
    assert "100.00 EUR" in page
    assert "4900.00 EUR" in page
    # Open payments and invoices (gross 1190.00 with 19 % VAT).
    assert "Open payments (1)" in page
    assert "150.00 EUR" in page
    assert "Open invoices (1)" in page
    assert "1190.00 EUR" in page
    # The billing plan: the reached instalment with its draft invoice, the one still to come
    # (25 % of 8000.00), and the way to the plan.
    invoice = Invoice.objects.get(project=project)
    assert 'Instalment 0 <span class="num">1000.00 EUR</span>' in page
    assert f'<a href="/invoices/{invoice.pk}/" class="tag inv-draft">Draft invoice</a>' in page
    assert 'Masters delivered <span class="num">2000.00 EUR</span>' in page
    assert '<span class="tag muted">Waiting</span>' in page
    assert f'href="/projects/{project.pk}/billing/">Billing plan</a>' in page
    # Release readiness: the release's blocking count, linked to its readiness list.
    release = Release.objects.get(project=project)
    assert f'href="/releases/{release.pk}/#readiness"' in page
    assert "blocking" in page
    assert "Player 0" in page


def test_hub_hides_money_from_roles_without_it(producer: Any) -> None:
    project = hub_of(producer, 1)
    engineer = UserFactory.create(username="eng")
    MembershipFactory.create(project=project, user=engineer, role=Role.ENGINEER)
    page = signed_in(engineer).get(f"/projects/{project.pk}/").content.decode()
    assert "Open payments" not in page
    assert "5000.00" not in page
    assert "Next bookings and sessions" in page
    assert "Release readiness" in page
    # An engineer runs sessions: a booking without one offers to start it.
    Session.objects.filter(project=project).update(booking=None)
    page = signed_in(engineer).get(f"/projects/{project.pk}/").content.decode()
    assert "Start session" in page


def test_hub_is_404_for_an_outsider(producer: Any) -> None:
    project = hub_of(producer, 1)
    outsider = UserFactory.create(username="stranger")
    assert signed_in(outsider).get(f"/projects/{project.pk}/").status_code == 404


def test_hub_queries_do_not_grow(producer: Any) -> None:
    small, large = hub_of(producer, 1), hub_of(producer, 20)
    client = signed_in(producer)
    client.get(f"/projects/{small.pk}/")  # the menu's money check is cached a minute
    counts = []
    for project in (small, large):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/projects/{project.pk}/")
        assert response.status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1], counts
    assert counts[0] == HUB_QUERIES, "\n".join(q["sql"][:100] for q in captured.captured_queries)


# session, user; project, role; schedule: bookings, their sessions, sessions to come, may run
# sessions; meetings; money: budget, its report (lines, bookings, payments, costs), open payments
# and their count, open invoices, their lines and their count, the billing plan's milestones;
# releases: releases, tracks, their
# credits, splits, release-wide credits; then studios, members, invitations, people.
HUB_QUERIES = 29
