"""What a production wrote about a person is that production's.

The story this file walks: Wren plays on the owner's production ("Low Tide"). The owner's
production keeps Wren's phone, email and a private note on its card, and the owner (Wren's
payer) keeps Wren's payee record. The outsider runs a production of their own. Whether or not
the outsider manages to get Wren onto their project, they read none of that, and change none of
it.
"""

import datetime
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from projects.models import Person, PersonCard, Project, Role
from projects.services.projects import person_card_save
from sessions import services as session_services
from sessions.models import PayeeDetails, RateRule
from tests.clock import UTC, upcoming
from tests.conftest import api_client_for
from tests.factories import MembershipFactory, PersonFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

PEOPLE = "/api/v1/people/"
PAYEES = "/api/v1/payees/"
START = upcoming(days=30, hour=10, zone=UTC)


def person_url(person: Person, **query: int) -> str:
    suffix = "".join(f"?{k}={v}" for k, v in query.items())
    return f"/api/v1/people/{person.pk}/{suffix}"


@pytest.fixture
def wren_user(db: None) -> Any:
    return UserFactory.create(username="wren")


@pytest.fixture
def wren(project: Project, wren_user: Any) -> Person:
    """A player with a login, on the owner's production as an artist, with that production's
    private details on its card and a payee record kept by the owner, who pays her."""
    MembershipFactory.create(project=project, user=wren_user, role=Role.ARTIST)
    person = PersonFactory.create(
        name="Wren Castellano",
        user=wren_user,
        projects=[project],
        email="wren.private@example.com",
        phone="+49 40 5550 0199",
        notes="Owes us a re-take of the bridge.",
    )
    rule = RateRule.objects.create(
        project=project, name="Flat", kind="flat", currency="EUR", params={"fee": "300"}
    )
    session = session_services.session_create(
        project=project, title="Vocals", start=START, end=START + datetime.timedelta(hours=4)
    )
    session_services.engagement_save(
        session=session, person=person, rate_rule=rule, role="vocalist", hours=Decimal(3)
    )
    PayeeDetails.objects.create(
        person=person,
        tax_status=PayeeDetails.TaxStatus.NON_US,
        legal_name="Wren A. Castellano",
        address="Harbour Lane 1, Hamburg",
    )
    return person


@pytest.fixture
def outsiders_project(outsider: Any) -> Project:
    project = ProjectFactory.create(title="Elsewhere")
    MembershipFactory.create(project=project, user=outsider, role=Role.PRODUCER)
    return project


def members_url(project: Project) -> str:
    return f"/api/v1/projects/{project.pk}/members/"


def test_a_stranger_cannot_be_pulled_onto_the_outsiders_project(
    as_outsider: APIClient, outsiders_project: Project, wren: Person
) -> None:
    response = as_outsider.post(members_url(outsiders_project), {"user": "wren", "role": "viewer"})
    missing = as_outsider.post(members_url(outsiders_project), {"user": "ghost", "role": "viewer"})
    assert response.status_code == missing.status_code == 400
    assert response.json()["user"] == [m.replace("ghost", "wren") for m in missing.json()["user"]]
    assert not PersonCard.objects.filter(person=wren, project=outsiders_project).exists()
    assert as_outsider.get(person_url(wren)).status_code == 404
    assert as_outsider.get(PEOPLE).json()["count"] == 0


@pytest.fixture
def wren_on_both(
    as_outsider: APIClient, outsider: Any, outsiders_project: Project, wren: Person
) -> Person:
    """The outsider does get Wren onto their project: they share a third production, so the
    member endpoint lets them add her. Her cards must still keep apart."""
    shared = ProjectFactory.create(title="Shared")
    MembershipFactory.create(project=shared, user=outsider, role=Role.PRODUCER)
    MembershipFactory.create(project=shared, user=wren.user, role=Role.VIEWER)
    response = as_outsider.post(members_url(outsiders_project), {"user": "wren", "role": "viewer"})
    assert response.status_code == 201, response.json()
    return wren


def test_the_outsider_reads_only_their_own_productions_card(
    as_outsider: APIClient, outsiders_project: Project, project: Project, wren_on_both: Person
) -> None:
    rows = as_outsider.get(PEOPLE).json()["results"]
    wren_rows = [row for row in rows if row["id"] == wren_on_both.pk]
    # One row, the outsider's own blank card; the owner's project is not even named.
    assert len(wren_rows) == 1
    assert wren_rows[0]["project"] == outsiders_project.pk
    assert (wren_rows[0]["email"], wren_rows[0]["phone"], wren_rows[0]["notes"]) == ("", "", "")
    assert project.pk not in wren_rows[0]["projects"]

    detail = as_outsider.get(person_url(wren_on_both)).json()
    assert (detail["project"], detail["phone"], detail["notes"]) == (outsiders_project.pk, "", "")
    assert "5550" not in str(as_outsider.get(PEOPLE, {"search": "5550"}).json())
    # Asking for the other production's card is asking for a project they are not on.
    assert as_outsider.get(person_url(wren_on_both, project=project.pk)).status_code == 404
    assert as_outsider.get(PEOPLE, {"project": project.pk}).json()["count"] == 0


def test_the_outsider_cannot_write_the_other_productions_card(
    as_outsider: APIClient, outsiders_project: Project, project: Project, wren_on_both: Person
) -> None:
    url = person_url(wren_on_both)
    response = as_outsider.patch(url, {"project": project.pk, "phone": "0"}, format="json")
    assert response.status_code == 404
    # Without a project a detail has no card to go to.
    response = as_outsider.patch(url, {"phone": "0"}, format="json")
    assert response.status_code == 400
    assert "project" in response.json()
    # Their own card takes what they write, and only theirs changes.
    response = as_outsider.patch(
        url, {"project": outsiders_project.pk, "phone": "+1 555 0100"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["phone"] == "+1 555 0100"
    assert wren_on_both.cards.get(project=project).phone == "+49 40 5550 0199"
    assert wren_on_both.cards.get(project=outsiders_project).phone == "+1 555 0100"
    # The shared name is not theirs to change, nor the person theirs to delete.
    response = as_outsider.patch(url, {"name": "Someone Else"}, format="json")
    assert response.status_code == 403
    assert as_outsider.delete(url).status_code == 409
    wren_on_both.refresh_from_db()
    assert wren_on_both.name == "Wren Castellano"


def test_the_outsider_cannot_read_or_change_the_payee_record(
    as_outsider: APIClient, wren_on_both: Person
) -> None:
    payee = wren_on_both.payee
    url = f"{PAYEES}{payee.pk}/"
    assert as_outsider.get(PAYEES).json()["count"] == 0
    assert as_outsider.get(url).status_code == 404
    assert as_outsider.patch(url, {"legal_name": "Mallory"}, format="json").status_code == 404
    assert as_outsider.delete(url).status_code == 404
    response = as_outsider.post(
        PAYEES, {"person": wren_on_both.pk, "tax_status": "w9"}, format="json"
    )
    assert response.status_code == 400
    assert "person" in response.json()
    payee.refresh_from_db()
    assert (payee.legal_name, payee.tax_status) == ("Wren A. Castellano", "non_us")


def test_the_producer_still_reads_and_edits_their_productions_card(
    as_owner: APIClient, project: Project, outsiders_project: Project, wren_on_both: Person
) -> None:
    detail = as_owner.get(person_url(wren_on_both)).json()
    assert (detail["project"], detail["phone"]) == (project.pk, "+49 40 5550 0199")
    assert detail["notes"] == "Owes us a re-take of the bridge."
    # The outsider's production is not named to the owner either.
    assert detail["projects"] == [project.pk]
    response = as_owner.patch(
        person_url(wren_on_both), {"project": project.pk, "notes": "Re-take done."}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["notes"] == "Re-take done."
    assert wren_on_both.cards.get(project=outsiders_project).notes == ""


def test_the_payer_reads_and_edits_the_payee_record(as_owner: APIClient, wren: Person) -> None:
    url = f"{PAYEES}{wren.payee.pk}/"
    assert as_owner.get(url).json()["legal_name"] == "Wren A. Castellano"
    response = as_owner.patch(url, {"address": "Dock Road 2, Hamburg"}, format="json")
    assert response.status_code == 200, response.json()
    wren.payee.refresh_from_db()
    assert wren.payee.address == "Dock Road 2, Hamburg"


def test_a_payer_of_nobody_sees_no_payee_record(project: Project, wren: Person) -> None:
    """A producer who shares the project but never engaged Wren is not her payer."""
    other = ProjectFactory.create()
    accountant = UserFactory.create()
    MembershipFactory.create(project=other, user=accountant, role=Role.ACCOUNTANT)
    PersonCard.objects.create(person=wren, project=other)
    client = api_client_for(accountant)
    assert client.get(f"{PAYEES}{wren.payee.pk}/").status_code == 404


def test_the_person_edits_their_own_payee_record(wren: Person, wren_user: Any) -> None:
    client = api_client_for(wren_user)
    url = f"{PAYEES}{wren.payee.pk}/"
    # An artist on the project does not see pay, but their own record is theirs.
    assert client.get(url).status_code == 200
    response = client.patch(
        url, {"tax_status": "vat", "vat_number": "de 136 695 976"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["vat_number"] == "DE136695976"
    assert client.get(PAYEES).json()["count"] == 1


def test_a_person_on_two_of_my_projects_is_a_row_per_card(
    owner: Any, as_owner: APIClient, project: Project
) -> None:
    second = ProjectFactory.create(title="Second")
    MembershipFactory.create(project=second, user=owner, role=Role.PRODUCER)
    person = PersonFactory.create(name="Ezra Winds", projects=[project], phone="1")
    person_card_save(person=person, project=second, by=owner, phone="2", instruments="sax")
    rows = as_owner.get(PEOPLE, {"search": "Ezra"}).json()["results"]
    assert sorted((row["project"], row["phone"]) for row in rows) == [
        (project.pk, "1"),
        (second.pk, "2"),
    ]
    assert as_owner.get(person_url(person, project=second.pk)).json()["instruments"] == "sax"


def test_card_save_makes_one_card_per_project_and_checks_the_role(
    owner: Any, collaborator: Any, project: Project
) -> None:
    person = PersonFactory.create(name="Marisol Strings")
    card = person_card_save(person=person, project=project, by=owner, email="m@example.com")
    again = person_card_save(person=person, project=project, by=owner, phone="+1 555 0101")
    assert again.pk == card.pk
    assert (again.email, again.phone) == ("m@example.com", "+1 555 0101")
    assert list(person.projects.all()) == [project]
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        person_card_save(person=person, project=project, by=collaborator, notes="viewer")
    assert PersonCard.objects.get(pk=card.pk).notes == ""


def test_demo_people_come_with_their_details() -> None:
    call_command("demo", stdout=StringIO())
    demo = Person.objects.get(name="Robin Marsh").user
    assert demo is not None
    rows = api_client_for(demo).get(PEOPLE, {"page_size": 100}).json()["results"]
    by_name = {(row["name"], row["project"]): row for row in rows}
    low_tide = Project.objects.get(title="Low Tide Sessions")
    juniper = by_name[("Juniper Ashgrove", low_tide.pk)]
    assert juniper["email"] == "juniper@example.com"
    assert juniper["instruments"] == "double bass, electric bass"
    # Every person of the demo is on a card of one of its productions.
    assert {row["name"] for row in rows} >= {
        "Juniper Ashgrove",
        "Tobiah Quell",
        "Marisol Dunmore",
        "Ezra Pennick",
        "Kit Okafor-Lind",
    }
    assert not Person.objects.filter(cards__isnull=True).exclude(user__isnull=False).exists()


def page_for(user: Any, url: str) -> str:
    from django.test import Client

    browser = Client()
    browser.force_login(user)
    response = browser.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_pages_show_each_production_its_own_card(
    owner: Any, outsider: Any, project: Project, outsiders_project: Project, wren_on_both: Person
) -> None:
    wren_on_both.cards.filter(project=outsiders_project).update(email="wren@elsewhere.example")
    mine = page_for(owner, "/people/")
    assert "wren.private@example.com" in mine
    assert "+49 40 5550 0199" in mine
    assert "wren@elsewhere.example" not in mine and "Elsewhere" not in mine
    theirs = page_for(outsider, "/people/")
    assert "Wren Castellano" in theirs
    assert "wren@elsewhere.example" in theirs
    assert "wren.private@example.com" not in theirs and "5550" not in theirs
    # The project page lists the project's people with that project's card.
    assert "wren.private@example.com" in page_for(owner, f"/projects/{project.pk}/")
    elsewhere = page_for(outsider, f"/projects/{outsiders_project.pk}/")
    assert "wren@elsewhere.example" in elsewhere
    assert "wren.private@example.com" not in elsewhere


@pytest.mark.django_db(transaction=True)
def test_the_migration_copies_each_persons_details_onto_a_card_per_project() -> None:
    """Back to the shared row (0003), two people as they were, forward again: each of the
    person's productions gets a card with the details as they stood; a person on no project
    keeps their name and has no card."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("studio", "0003_booking_exclusion")])
    old = executor.loader.project_state([("studio", "0003_booking_exclusion")]).apps
    OldProject = old.get_model("studio", "Project")
    OldPerson = old.get_model("studio", "Person")
    a = OldProject.objects.create(title="A", artist="a")
    b = OldProject.objects.create(title="B", artist="b")
    ada = OldPerson.objects.create(
        name="Ada", email="ada@example.com", phone="123", instruments="bass", notes="shy"
    )
    ada.projects.set([a, b])
    loner = OldPerson.objects.create(name="Loner", email="l@example.com")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    cards = PersonCard.objects.filter(person_id=ada.pk).order_by("project_id")
    assert [(c.project_id, c.email, c.phone, c.instruments, c.notes) for c in cards] == [
        (a.pk, "ada@example.com", "123", "bass", "shy"),
        (b.pk, "ada@example.com", "123", "bass", "shy"),
    ]
    assert Person.objects.get(pk=loner.pk).name == "Loner"
    assert not PersonCard.objects.filter(person_id=loner.pk).exists()
