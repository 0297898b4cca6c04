"""Pay statements and session reports as real PDFs, the yearly payee report, and the pages."""

import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from pypdf import PdfReader
from rest_framework.test import APIClient

from sessions import rates, services
from sessions.models import Engagement, PayeeDetails, Payment, RateRule, Session
from sessions.selectors import nec_threshold
from studio.models import Project, Role, Room
from tests.conftest import api_client_for
from tests.factories import (
    GearFactory,
    MembershipFactory,
    PersonFactory,
    RoomFactory,
    StudioFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def pdf_text(body: bytes) -> str:
    """The text of a PDF, read back by pypdf, a reader independent of reportlab."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


@pytest.fixture
def union() -> RateRule:
    preset = next(p for p in rates.PRESETS if p["kind"] == rates.UNION)
    rule, _ = RateRule.objects.get_or_create(
        project=None, name=preset["name"], defaults={k: v for k, v in preset.items() if k != "name"}
    )
    return rule


@pytest.fixture
def room(owner: Any, project: Project) -> Room:
    studio = StudioFactory.create(
        name="Doc Studio", time_zone="America/New_York", currency="USD", managers=[owner]
    )
    project.studios.add(studio)
    # The AFM preset pays in US dollars; so does this production.
    Project.objects.filter(pk=project.pk).update(currency="USD")
    project.refresh_from_db()
    return RoomFactory.create(studio=studio, name="Big Room")


@pytest.fixture
def session(project: Project, room: Room) -> Session:
    start = datetime.datetime(2026, 6, 2, 14, tzinfo=datetime.UTC)
    return services.session_create(
        project=project,
        room=room,
        title="Horn overdubs",
        start=start,
        end=start + datetime.timedelta(hours=5),
    )


def engaged(session: Session, rule: RateRule, name: str, **kw: Any) -> Engagement:
    person = PersonFactory.create(name=name, projects=[session.project])
    return services.engagement_save(
        session=session,
        person=person,
        rate_rule=rule,
        role=kw.pop("role", "musician"),
        hours=Decimal(kw.pop("hours", "3")),
        **kw,
    )


def test_pay_statement_pdf(
    as_owner: APIClient, as_collaborator: APIClient, session: Session, union: RateRule
) -> None:
    engagement = engaged(session, union, "Ezra Winds", instrument="tenor sax", doubles=["flute"])
    response = as_owner.get(f"/api/v1/engagements/{engagement.pk}/statement/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    body = response.content
    assert body.startswith(b"%PDF-")
    text = pdf_text(body)
    for expected in [
        "Pay statement",
        "Ezra Winds",
        "Horn overdubs",
        "Tuesday 02 June 2026, 10:00–15:00 EDT",
        "3 h basic session",
        "418.62",
        "double 1 (flute, 20 %)",
        "83.72",
        "Wages to the player",
        "502.34 USD",
        "Payment: Pending",
    ]:
        assert expected in text, expected
    assert as_collaborator.get(f"/api/v1/engagements/{engagement.pk}/statement/").status_code == 403


def test_session_report_pdf(
    as_owner: APIClient, as_outsider: APIClient, session: Session, union: RateRule
) -> None:
    engaged(
        session,
        union,
        "Ezra Winds",
        instrument="tenor sax",
        doubles=["flute", "clarinet"],
        cartage=["bari sax"],
    )
    engaged(session, union, "Marisol Strings", role="leader", instrument="violin", hours="4")
    services.take_create(session=session, song="Low Tide")
    services.take_create(session=session, song="Low Tide", keeper=True)
    services.take_create(session=session, song="Paper Lanterns")
    response = as_owner.get(f"/api/v1/sessions/{session.pk}/report/")
    assert response.status_code == 200
    text = pdf_text(response.content)
    for expected in [
        "Session report",
        "Players (2, 7 hours in all)",
        "Ezra Winds",
        "flute, clarinet",
        "bari sax",
        "Marisol Strings",
        "Leader",
        "Low Tide",
        "Paper Lanterns",
    ]:
        assert expected in text, expected
    assert as_outsider.get(f"/api/v1/sessions/{session.pk}/report/").status_code == 404


def test_yearly_report_flags_the_1099_threshold(
    project: Project, session: Session, union: RateRule
) -> None:
    accountant = UserFactory.create()
    MembershipFactory.create(project=project, user=accountant, role=Role.ACCOUNTANT)
    big = engaged(session, union, "Big Earner", role="leader", hours="5")  # 837.24 + overtime
    small = engaged(session, union, "Small Earner")
    non_us = engaged(session, union, "Abroad Player", role="leader", hours="5")
    PayeeDetails.objects.create(person=non_us.person, tax_status=PayeeDetails.TaxStatus.NON_US)
    PayeeDetails.objects.create(person=big.person, tax_status=PayeeDetails.TaxStatus.W9_ON_FILE)
    for engagement in (big, small, non_us):
        payment = services.payment_approve(payment=engagement.payment, by=accountant)
        services.payment_pay(payment=payment, paid_on=datetime.date(2026, 6, 30), method="check")
    # A second session for the big earner, to pass $2,000.
    second = services.session_create(
        project=project,
        room=session.room,
        title="More horns",
        start=session.start + datetime.timedelta(days=1),
        end=session.end + datetime.timedelta(days=1),
    )
    again = services.engagement_save(
        session=second, person=big.person, rate_rule=union, role="leader", hours=Decimal(5)
    )
    services.payment_pay(
        payment=services.payment_approve(payment=again.payment, by=accountant),
        paid_on=datetime.date(2026, 7, 1),
        method="check",
    )

    rows = api_client_for(accountant).get("/api/v1/payments/yearly/", {"year": 2026}).json()
    by_name = {row["name"]: row for row in rows}
    assert by_name["Big Earner"]["paid"] == str(big.wages + again.wages)
    assert Decimal(by_name["Big Earner"]["paid"]) >= Decimal(2000)
    assert by_name["Big Earner"]["reportable"] is True
    assert by_name["Small Earner"]["reportable"] is False
    assert by_name["Abroad Player"]["reportable"] is False  # not a US payee
    assert api_client_for(accountant).get("/api/v1/payments/yearly/", {"year": 2025}).json() == []
    assert (
        api_client_for(accountant).get("/api/v1/payments/yearly/", {"year": "last"}).status_code
        == 400
    )
    assert nec_threshold(2025) == Decimal(600) and nec_threshold(2026) == Decimal(2000)


def test_session_sheet_page_and_queries(
    owner: Any,
    collaborator: Any,
    outsider: Any,
    session: Session,
    union: RateRule,
    room: Room,
    django_assert_max_num_queries: Any,
) -> None:
    for i in range(6):
        engaged(session, union, f"Player {i}", instrument="trumpet")
        services.take_create(session=session, song=f"Song {i}")
    mic = GearFactory.create(studio=room.studio, room=room, name="Ribbon mic")
    GearFactory.create(studio=room.studio, room=room, name="Plate reverb")
    services.gear_check_record(session=session, gear=mic, result="fault", note="Crackles")
    client = Client()
    client.force_login(owner)
    client.get(f"/sessions/{session.pk}/")
    # session, user, the session, 3 permission checks, players, takes, checks, gear to check
    with django_assert_max_num_queries(11):
        page = client.get(f"/sessions/{session.pk}/").content.decode()
    assert "Player 5" in page and "Song 5" in page and "Crackles" in page
    assert "Still to check in Big Room: Plate reverb." in page
    assert "USD" in page  # the producer sees pay
    viewer = Client()
    viewer.force_login(collaborator)
    viewer_page = viewer.get(f"/sessions/{session.pk}/").content.decode()
    assert "Player 5" in viewer_page and "Statement" not in viewer_page
    stranger = Client()
    stranger.force_login(outsider)
    assert stranger.get(f"/sessions/{session.pk}/").status_code == 404


def test_pay_summary_page(
    owner: Any,
    collaborator: Any,
    project: Project,
    session: Session,
    union: RateRule,
    django_assert_max_num_queries: Any,
) -> None:
    paid = engaged(session, union, "Paid Player")
    engaged(session, union, "Owed Player")
    services.payment_pay(
        payment=services.payment_approve(payment=paid.payment, by=owner),
        paid_on=datetime.date(2026, 6, 5),
        method="bank_transfer",
    )
    client = Client()
    client.force_login(owner)
    client.get(f"/projects/{project.pk}/pay/")
    with django_assert_max_num_queries(8):
        page = client.get(f"/projects/{project.pk}/pay/").content.decode()
    assert "Paid Player" in page and "Owed Player" in page
    assert "Horn overdubs" in page
    viewer = Client()
    viewer.force_login(collaborator)
    assert viewer.get(f"/projects/{project.pk}/pay/").status_code == 403
    assert "Horn overdubs" in viewer.get(f"/projects/{project.pk}/sessions/").content.decode()
    assert Payment.objects.filter(status="paid").count() == 1


def test_pay_summary_amounts_are_money(
    owner: Any, project: Project, session: Session, union: RateRule
) -> None:
    from sessions.selectors import pay_summary

    engaged(
        session,
        union,
        "Leader Person",
        role="leader",
        hours="4",
        instrument="violin",
        doubles=["viola"],
    )
    [row] = pay_summary(project=project)
    assert (str(row.pending), str(row.approved), str(row.paid), str(row.owed)) == (
        "1423.31",
        "0.00",
        "0.00",
        "1423.31",
    )
