"""Pay statements and session reports as real PDFs, the yearly payee report, and the pages."""

import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader
from rest_framework.test import APIClient

from projects.models import Project, Role
from sessions import rates, services
from sessions.models import (
    Engagement,
    FrozenPayStatement,
    PayeeDetails,
    Payment,
    PayStatement,
    RateRule,
    Session,
)
from sessions.selectors import nec_threshold
from sessions.services import rate_rule_presets_ensure
from studio.models import Room
from tests.conftest import api_client_for
from tests.factories import (
    GearFactory,
    MembershipFactory,
    PersonFactory,
    ProjectFactory,
    RoomFactory,
    StudioFactory,
    UserFactory,
)
from tests.studio.test_booking_races import run_at_once

pytestmark = pytest.mark.django_db


def pdf_text(body: bytes) -> str:
    """The text of a PDF, read back by pypdf, a reader independent of reportlab."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


@pytest.fixture
def union() -> RateRule:
    return next(rule for rule in rate_rule_presets_ensure().values() if rule.kind == rates.UNION)


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
    # A logged session of the 2026 tax year (the first with the 2,000 USD 1099-NEC threshold):
    # a day in the past on any clock, which the yearly report and the documents name.
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
    services.take_create(session=session, song_name="Low Tide")
    services.take_create(session=session, song_name="Low Tide", keeper=True)
    services.take_create(session=session, song_name="Paper Lanterns")
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
        services.take_create(session=session, song_name=f"Song {i}")
    mic = GearFactory.create(studio=room.studio, room=room, name="Ribbon mic")
    GearFactory.create(studio=room.studio, room=room, name="Plate reverb")
    services.gear_check_record(session=session, gear=mic, result="fault", note="Crackles")
    client = Client()
    client.force_login(owner)
    client.get(f"/sessions/{session.pk}/")
    # session, user, the session, 3 permission checks, players, takes, checks, gear to check,
    # the take form's songs and parts
    with django_assert_max_num_queries(12):
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


# --- numbered pay statements, names as written, the shared page -------------------------------


def page_words(body: bytes) -> list[str]:
    """Each page's text, runs of whitespace made one space (wrapping is not under test)."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(body)).pages]


def font_names(body: bytes) -> set[str]:
    """The fonts every page uses, subset prefixes removed, each checked to be embedded."""
    names = set()
    for page in PdfReader(io.BytesIO(body)).pages:
        resources: Any = page["/Resources"]
        for ref in resources["/Font"].values():
            font = ref.get_object()
            assert "/FontFile2" in font["/FontDescriptor"], font
            names.add(str(font["/BaseFont"]).split("+")[-1])
    return names


PAYER = {
    "payer_name": "Wytwórnia Łódź Sp. z o.o.",
    "payer_address": "ul. Piotrkowska 12\n90-001 Łódź",
    "payer_tax_id": "PL5260250274",
}


def approved(engagement: Engagement, by: Any) -> Engagement:
    services.payment_approve(payment=engagement.payment, by=by)
    return engagement


def test_pay_statement_is_numbered_dated_and_names_the_payer(
    owner: Any,
    as_owner: APIClient,
    as_collaborator: APIClient,
    project: Project,
    session: Session,
    union: RateRule,
) -> None:
    first = engaged(session, union, "Antonín Dvořák", instrument="viola")
    second = engaged(session, union, "Ayşe Ğündüz", instrument="oud")
    issue = f"/api/v1/engagements/{first.pk}/statement/issue/"
    # A pending payment's amount may still change: nothing is numbered yet.
    pending = as_owner.post(issue, PAYER, format="json")
    assert pending.status_code == 409
    approved(first, owner)
    assert as_collaborator.post(issue, PAYER, format="json").status_code == 403
    response = as_owner.post(issue, PAYER, format="json")
    assert response.status_code == 201, response.json()
    today = timezone.localdate()
    body = response.json()
    assert body["number"] == f"PS-{project.pk}-{today.year}-0001"
    assert body["issued_on"] == today.isoformat()
    assert as_owner.post(issue, PAYER, format="json").status_code == 409  # issued once

    # The next one of the project: the next number, the payer as on the last statement.
    approved(second, owner)
    again = as_owner.post(f"/api/v1/engagements/{second.pk}/statement/issue/", format="json")
    assert again.status_code == 201, again.json()
    assert again.json()["number"] == f"PS-{project.pk}-{today.year}-0002"
    assert again.json()["payer_name"] == PAYER["payer_name"]

    pdf = as_owner.get(f"/api/v1/engagements/{first.pk}/statement/").content
    [text] = page_words(pdf)
    for expected in [
        f"Pay statement PS-{project.pk}-{today.year}-0001",
        f"Date of issue: {today:%d %B %Y}",
        "Wytwórnia Łódź Sp. z o.o.",
        "ul. Piotrkowska 12 90-001 Łódź",
        "Tax ID PL5260250274",
        "Antonín Dvořák",
        "Page 1 of 1",
    ]:
        assert expected in text, expected
    assert (
        "Ayşe Ğündüz"
        in page_words(as_owner.get(f"/api/v1/engagements/{second.pk}/statement/").content)[0]
    )
    assert font_names(pdf) == {"DejaVuSans", "DejaVuSans-Bold"}


def test_a_statement_never_changes_and_is_never_deleted(
    owner: Any, session: Session, union: RateRule
) -> None:
    engagement = approved(engaged(session, union, "Ezra Winds"), owner)
    statement = services.pay_statement_issue(engagement=engagement, **PAYER)
    statement.payer_name = "Someone else"
    with pytest.raises(FrozenPayStatement):
        statement.save()
    with pytest.raises(FrozenPayStatement):
        statement.delete()
    assert PayStatement.objects.get().payer_name == PAYER["payer_name"]
    # Nor does the engagement it states go away.
    assert api_client_for(owner).delete(f"/api/v1/engagements/{engagement.pk}/").status_code == 409


@pytest.mark.parametrize(
    ("client", "body", "field"),
    [
        ("", {"payer_address": "Somewhere 1"}, "payer_name"),
        ("Invented Records", {}, "payer_address"),
        ("Invented Records", {"payer_tax_id": "x" * 41}, "payer_tax_id"),
    ],
)
def test_a_statement_needs_a_payer(
    owner: Any,
    as_owner: APIClient,
    project: Project,
    session: Session,
    union: RateRule,
    client: str,
    body: dict[str, str],
    field: str,
) -> None:
    Project.objects.filter(pk=project.pk).update(client=client)
    engagement = approved(engaged(session, union, "Ezra Winds"), owner)
    response = as_owner.post(
        f"/api/v1/engagements/{engagement.pk}/statement/issue/", body, format="json"
    )
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert not PayStatement.objects.exists()


def test_the_payer_name_falls_back_to_the_projects_client(
    owner: Any, as_owner: APIClient, project: Project, session: Session, union: RateRule
) -> None:
    engagement = approved(engaged(session, union, "Ezra Winds"), owner)
    response = as_owner.post(
        f"/api/v1/engagements/{engagement.pk}/statement/issue/",
        {"payer_address": "Label Road 2\nNashville"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["payer_name"] == project.client


def test_numbers_are_per_project_and_year(owner: Any, session: Session, union: RateRule) -> None:
    other = ProjectFactory.create(currency="USD")  # the AFM preset pays in dollars
    MembershipFactory.create(project=other, user=owner, role=Role.PRODUCER)
    other_session = services.session_create(
        project=other, title="Elsewhere", start=session.start, end=session.end
    )
    here = approved(engaged(session, union, "Here Player"), owner)
    there = approved(engaged(other_session, union, "There Player"), owner)
    year = timezone.localdate().year
    assert services.pay_statement_issue(engagement=here, **PAYER).number == (
        f"PS-{session.project_id}-{year}-0001"
    )
    assert services.pay_statement_issue(engagement=there, **PAYER).number == (
        f"PS-{other.pk}-{year}-0001"
    )


def test_an_unissued_statement_says_it_is_a_draft(
    as_owner: APIClient, session: Session, union: RateRule
) -> None:
    engagement = engaged(session, union, "Ezra Winds")
    [text] = page_words(as_owner.get(f"/api/v1/engagements/{engagement.pk}/statement/").content)
    assert "Draft: not issued." in text and "Pay statement (draft)" in text
    assert "PS-" not in text


def test_session_report_prints_names_as_written_on_every_page(
    as_owner: APIClient, session: Session, union: RateRule
) -> None:
    names = ["Antonín Dvořák", "Ayşe Ğündüz", "Søren Øresund", "Jürgen Straße", "Łucja Łódź"]
    for name in names:
        engaged(session, union, name, instrument="Flügelhorn", cartage=["Kontrabaß"])
    for n in range(60):
        services.take_create(session=session, song_name=f"Pieśń {n} — Straße & <Co>")
    body = as_owner.get(f"/api/v1/sessions/{session.pk}/report/").content
    every = page_words(body)
    assert len(every) >= 2
    for number, text in enumerate(every, start=1):
        assert "Session report · Horn overdubs · 02 Jun 2026" in text
        assert f"Page {number} of {len(every)}" in text
    everything = " ".join(every)
    for expected in [*names, "Flügelhorn", "Kontrabaß", "Pieśń 59 — Straße & <Co>"]:
        assert expected in everything, expected
    assert font_names(body) == {"DejaVuSans", "DejaVuSans-Bold"}


def test_pay_statements_follow_the_paper_setting(
    as_owner: APIClient, session: Session, union: RateRule, settings: Any
) -> None:
    settings.INVOICE_PAGE_SIZE = "letter"
    engagement = engaged(session, union, "Ezra Winds")
    body = as_owner.get(f"/api/v1/engagements/{engagement.pk}/statement/").content
    box = PdfReader(io.BytesIO(body)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)


@pytest.mark.django_db(transaction=True)
def test_ten_statements_issued_at_once_get_consecutive_numbers() -> None:
    owner = UserFactory.create()
    project = ProjectFactory.create(currency="USD")
    MembershipFactory.create(project=project, user=owner, role=Role.PRODUCER)
    preset = next(p for p in rates.PRESETS if p["kind"] == rates.UNION)
    rule = RateRule.objects.create(
        project=project, **{k: v for k, v in preset.items() if k != "project"}
    )
    start = datetime.datetime(2026, 6, 2, 14, tzinfo=datetime.UTC)
    session = services.session_create(
        project=project, title="Strings", start=start, end=start + datetime.timedelta(hours=4)
    )
    players = [approved(engaged(session, rule, f"Player {i}"), owner) for i in range(10)]

    results = run_at_once(
        lambda i: services.pay_statement_issue(engagement=players[i], **PAYER).number, 10
    )
    year = timezone.localdate().year
    assert sorted(results) == [f"PS-{project.pk}-{year}-{n:04d}" for n in range(1, 11)], results
