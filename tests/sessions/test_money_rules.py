"""Money that enters through sessions: rate rule parameters checked where they enter, a fixed
engagement once its payment is approved, and list query counts that do not grow with rows."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from rest_framework.test import APIClient

from projects.models import Person, Project
from sessions import services
from sessions.models import Engagement, PayeeDetails, Payment, RateRule, Session
from studio.models import Room
from tests.factories import GearFactory, PersonFactory
from tests.sessions.test_api import engage

pytestmark = pytest.mark.django_db

BAD_AMOUNTS = ["1e309", "12345678901234567890", "10.005", "NaN", "Infinity"]


@pytest.mark.parametrize("amount", BAD_AMOUNTS)
@pytest.mark.parametrize(("kind", "name"), [("flat", "fee"), ("hourly", "rate"), ("day", "rate")])
def test_bad_rule_amounts_are_400s_naming_the_parameter(
    as_owner: APIClient, project: Project, kind: str, name: str, amount: str
) -> None:
    params = {
        "flat": {"fee": amount},
        "hourly": {"rate": amount, "minimum_hours": "3"},
        "day": {"rate": amount, "day_hours": "8"},
    }[kind]
    response = as_owner.post(
        "/api/v1/rate-rules/",
        {"project": project.pk, "name": "Mine", "kind": kind, "currency": "EUR", "params": params},
        format="json",
    )
    assert response.status_code == 400
    assert name in response.json()["params"], response.json()
    assert not RateRule.objects.filter(project=project).exists()


@pytest.mark.parametrize("value", ["1e309", "99999", "1.0005"])
def test_bad_rule_factors_are_400s(as_owner: APIClient, project: Project, value: str) -> None:
    response = as_owner.post(
        "/api/v1/rate-rules/",
        {
            "project": project.pk,
            "name": "Mine",
            "kind": "hourly",
            "currency": "EUR",
            "params": {"rate": "60.00", "minimum_hours": value},
        },
        format="json",
    )
    assert response.status_code == 400
    assert "minimum_hours" in response.json()["params"]


def test_a_rule_keeps_its_currencys_minor_unit(as_owner: APIClient, project: Project) -> None:
    yen = {"project": project.pk, "name": "Yen", "kind": "flat", "currency": "JPY"}
    refused = as_owner.post("/api/v1/rate-rules/", {**yen, "params": {"fee": "5000.5"}}, "json")
    assert refused.status_code == 400
    assert "JPY" in refused.json()["params"]["fee"]
    kept = as_owner.post("/api/v1/rate-rules/", {**yen, "params": {"fee": "5000"}}, "json")
    assert kept.status_code == 201, kept.json()
    # The model refuses the same, for the admin and any other writer that cleans it.
    rule = RateRule(project=project, name="Yen", kind="flat", currency="JPY", params={"fee": "1.5"})
    with pytest.raises(ValidationError) as refusal:
        rule.full_clean()
    assert "params" in refusal.value.message_dict


def test_a_bad_rule_stored_earlier_is_a_400_not_a_500(
    as_owner: APIClient, project: Project, session: Session, player: Person
) -> None:
    # Written before rules were checked (or around the checks): the engagement is refused.
    rule = RateRule.objects.create(
        project=project, name="Old", kind="flat", currency="USD", params={"fee": "1e309"}
    )
    response = engage(as_owner, session, player, rule)
    assert response.status_code == 400
    assert "rate_rule" in response.json()
    assert not Engagement.objects.exists()


def test_a_fee_beyond_the_column_is_a_400(
    as_owner: APIClient, project: Project, session: Session, player: Person
) -> None:
    # Every parameter fits; the fee (three hours at ten billion) does not.
    rule = RateRule.objects.create(
        project=project,
        name="Huge",
        kind="hourly",
        currency="USD",
        params={"rate": "9999999999.99", "minimum_hours": "3"},
    )
    response = engage(as_owner, session, player, rule)
    assert response.status_code == 400
    assert "out of range" in response.json()["rate_rule"][0]
    assert not Payment.objects.exists()


def test_an_engagement_is_fixed_once_its_payment_is_approved(
    as_owner: APIClient, session: Session, player: Person, union: RateRule
) -> None:
    created = engage(as_owner, session, player, union)
    assert created.status_code == 201, created.json()
    payment = Payment.objects.get(engagement_id=created.json()["id"])
    approved = as_owner.post(f"/api/v1/payments/{payment.pk}/approve/")
    assert approved.status_code == 200, approved.json()

    edit = as_owner.patch(
        f"/api/v1/engagements/{created.json()['id']}/", {"hours": "4.5"}, format="json"
    )
    assert edit.status_code == 409
    payment.refresh_from_db()
    assert (payment.status, payment.amount) == ("approved", Decimal("418.62"))
    assert Engagement.objects.get(pk=created.json()["id"]).hours == Decimal(3)
    assert as_owner.delete(f"/api/v1/engagements/{created.json()['id']}/").status_code == 409
    # Approving twice is refused under the same locks.
    assert as_owner.post(f"/api/v1/payments/{payment.pk}/approve/").status_code == 409


def _pinned(
    client: APIClient,
    url: str,
    grow: Callable[[int], None],
    queries: int,
    assert_num_queries: Any,
) -> None:
    """The list at ``url`` runs ``queries`` queries with one row and with twenty."""
    grow(1)
    with assert_num_queries(queries):
        assert client.get(url).json()["count"] == 1
    grow(19)
    with assert_num_queries(queries):
        assert client.get(url).json()["count"] == 20


# The count and the page: what the user may see is a subquery of both, the related rows are
# joined into the page.
LIST_QUERIES = 2


def test_list_query_counts(
    as_owner: APIClient,
    owner: Any,
    project: Project,
    room: Room,
    session: Session,
    union: RateRule,
    django_assert_num_queries: Any,
) -> None:
    def sessions(n: int) -> None:
        for _ in range(n):
            services.session_create(
                project=project, title="Overdubs", room=room, start=session.start, end=session.end
            )

    # The fixture's session is the first row; the planned songs of the page are one more query.
    _pinned(
        as_owner,
        f"/api/v1/sessions/?project={project.pk}",
        lambda n: sessions(n - 1 if n == 1 else n),
        LIST_QUERIES + 1,
        django_assert_num_queries,
    )

    def rules(n: int) -> None:
        for i in range(n):
            RateRule.objects.create(
                project=project, name=f"Rule {i}", kind="flat", currency="USD", params={"fee": "1"}
            )

    _pinned(
        as_owner,
        f"/api/v1/rate-rules/?project={project.pk}",
        rules,
        LIST_QUERIES,
        django_assert_num_queries,
    )

    def takes(n: int) -> None:
        for _ in range(n):
            services.take_create(session=session, song_name="Low Tide")

    _pinned(
        as_owner,
        f"/api/v1/takes/?session={session.pk}",
        takes,
        LIST_QUERIES,
        django_assert_num_queries,
    )

    def gear_checks(n: int) -> None:
        for _ in range(n):
            gear = GearFactory.create(studio=room.studio)
            services.gear_check_record(session=session, gear=gear, result="ok")

    _pinned(
        as_owner,
        f"/api/v1/gear-checks/?session={session.pk}",
        gear_checks,
        LIST_QUERIES,
        django_assert_num_queries,
    )

    def payees(n: int) -> None:
        # A payer sees the payee details of the people engaged on its projects.
        for _ in range(n):
            person = PersonFactory.create(projects=[project])
            services.engagement_save(
                session=session, person=person, rate_rule=union, role="musician", hours=Decimal(3)
            )
            PayeeDetails.objects.create(person=person, tax_status="w9")

    _pinned(as_owner, "/api/v1/payees/", payees, LIST_QUERIES, django_assert_num_queries)


def test_a_take_number_beyond_the_column_is_a_400(as_owner: APIClient, session: Session) -> None:
    response = as_owner.post(
        "/api/v1/takes/", {"session": session.pk, "song_name": "Low Tide", "number": 10**20}, "json"
    )
    assert response.status_code == 400
    assert "number" in response.json()


def test_the_admin_refuses_a_bad_rule(admin_client: Client, project: Project) -> None:
    response = admin_client.post(
        "/admin/recording/raterule/add/",
        {
            "project": project.pk,
            "name": "Typed in the admin",
            "kind": "flat",
            "currency": "EUR",
            "params": '{"fee": "1e309"}',
            "source": "",
        },
    )
    assert response.status_code == 200
    assert "too large" in response.content.decode()
    assert not RateRule.objects.filter(project=project).exists()
