"""Deleting sessions, takes, gear checks, rate rules and payee details through their services
(session_delete, take_delete, gear_check_delete, rate_rule_delete, payee_details_delete), from
the API and the admin."""

from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from rest_framework.test import APIClient

from budgets import services as budget_services
from projects.models import Person, Project
from sessions import services
from sessions.models import Engagement, GearCheck, PayeeDetails, Payment, RateRule, Session, Take
from studio import services as studio_services
from studio.models import Gear, Room
from tests.clock import today
from tests.factories import GearFactory, UserFactory
from tests.sessions.test_api import engage

pytestmark = pytest.mark.django_db


@pytest.fixture
def played(as_owner: APIClient, session: Session, player: Person, union: RateRule) -> Engagement:
    """The player engaged on the session: a pending payment with it."""
    response = engage(as_owner, session, player, union)
    assert response.status_code == 201, response.json()
    return Engagement.objects.get(pk=response.json()["id"])


@pytest.fixture
def mic(room: Room) -> Gear:
    return GearFactory.create(studio=room.studio, room=room, name="Ribbon mic")


def approve(played: Engagement, owner: Any, *, paid: bool = False) -> Payment:
    payment = services.payment_approve(payment=played.payment, by=owner)
    if paid:
        payment = services.payment_pay(payment=payment, paid_on=today(), method="bank_transfer")
    return payment


# --- sessions -----------------------------------------------------------------------------------


def test_session_delete_takes_its_players_pending_pay_takes_and_checks(
    as_owner: APIClient, room: Room, session: Session, played: Engagement, mic: Gear
) -> None:
    take = services.take_create(session=session, song_name="Low Tide")
    check = services.gear_check_record(session=session, gear=mic, result="ok")

    response = as_owner.delete(f"/api/v1/sessions/{session.pk}/")

    assert response.status_code == 204
    assert not Session.objects.filter(pk=session.pk).exists()
    assert not Engagement.objects.filter(pk=played.pk).exists()
    assert not Payment.objects.exists()
    assert not Take.objects.filter(pk=take.pk).exists()
    assert not GearCheck.objects.filter(pk=check.pk).exists()
    assert Room.objects.filter(pk=room.pk).exists()


def test_players_of_a_deleted_session_leave_its_confirmed_day(
    as_owner: APIClient,
    session: Session,
    player: Person,
    union: RateRule,
    django_capture_on_commit_callbacks: Any,
) -> None:
    assert session.booking is not None
    with django_capture_on_commit_callbacks(execute=True):
        studio_services.booking_confirm(booking=session.booking)
    with django_capture_on_commit_callbacks(execute=True):
        assert engage(as_owner, session, player, union).status_code == 201
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert as_owner.delete(f"/api/v1/sessions/{session.pk}/").status_code == 204

    told = {
        message.to[0]: name_type[2]
        for message in mail.outbox
        for name_type in message.attachments
        if name_type[0] == "invite.ics"
    }
    assert told == {"ezra.winds@example.com": "text/calendar; method=CANCEL"}


@pytest.mark.parametrize(("paid", "status"), [(False, "approved"), (True, "paid")])
def test_a_session_with_approved_or_paid_pay_is_kept(
    as_owner: APIClient,
    owner: Any,
    session: Session,
    played: Engagement,
    paid: bool,
    status: str,
) -> None:
    approve(played, owner, paid=paid)

    response = as_owner.delete(f"/api/v1/sessions/{session.pk}/")

    assert response.status_code == 409
    assert response.json() == {
        "detail": f"Session “Horns” has pay {status} for Ezra Winds: approved pay is fixed and "
        "kept. Cancel the session instead."
    }
    assert Session.objects.filter(pk=session.pk).exists()
    assert Engagement.objects.filter(pk=played.pk).exists()
    assert Payment.objects.get().status == status


def test_a_session_whose_player_is_invoiced_is_kept_with_its_pending_pay(
    as_owner: APIClient, project: Project, session: Session, played: Engagement
) -> None:
    invoice = budget_services.invoice_create(
        project=project,
        issuer_name="Harbour Lane Productions",
        issuer_address="Harbour Lane 12\n20457 Hamburg",
        recipient_name="Driftwood Records",
        recipient_address="Quay Street 4\nBristol",
    )
    budget_services.invoice_line_save(
        invoice=invoice,
        engagement=played,
        description="Horns: Ezra Winds",
        quantity=Decimal(1),
        unit_price=Decimal("300.00"),
        tax_rate=Decimal(19),
    )

    response = as_owner.delete(f"/api/v1/sessions/{session.pk}/")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "Session “Horns” has players billed on an invoice (Horns: Ezra Winds): "
        "remove those lines from the draft, or credit the invoice, first."
    }
    # The pending payment was deleted before the session was refused: rolled back with it.
    assert Payment.objects.filter(engagement=played, status="pending").exists()
    assert Session.objects.filter(pk=session.pk).exists()


def test_who_may_delete_a_session(
    as_collaborator: APIClient, as_outsider: APIClient, session: Session, played: Engagement
) -> None:
    refused = as_collaborator.delete(f"/api/v1/sessions/{session.pk}/")
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "Your role on this project may not do this (sessions.manage)."
    )
    assert as_outsider.delete(f"/api/v1/sessions/{session.pk}/").status_code == 404
    assert Session.objects.filter(pk=session.pk).exists()
    assert Payment.objects.filter(engagement=played).exists()


# --- takes and gear checks ----------------------------------------------------------------------


def test_take_delete(
    as_owner: APIClient, as_collaborator: APIClient, as_outsider: APIClient, session: Session
) -> None:
    take = services.take_create(session=session, song_name="Low Tide")
    url = f"/api/v1/takes/{take.pk}/"

    assert as_collaborator.delete(url).status_code == 403
    assert as_outsider.delete(url).status_code == 404
    assert Take.objects.filter(pk=take.pk).exists()
    assert as_owner.delete(url).status_code == 204
    assert not Take.objects.filter(pk=take.pk).exists()


def test_gear_check_delete_keeps_the_items_status(
    as_owner: APIClient,
    as_collaborator: APIClient,
    as_outsider: APIClient,
    session: Session,
    mic: Gear,
) -> None:
    check = services.gear_check_record(session=session, gear=mic, result="fault", note="hum")
    url = f"/api/v1/gear-checks/{check.pk}/"

    assert as_collaborator.delete(url).status_code == 403
    assert as_outsider.delete(url).status_code == 404
    assert GearCheck.objects.filter(pk=check.pk).exists()
    assert as_owner.delete(url).status_code == 204
    assert not GearCheck.objects.filter(pk=check.pk).exists()
    mic.refresh_from_db()
    assert mic.status == Gear.Status.NEEDS_SERVICE  # the studio clears a fault, not a delete


# --- rate rules ---------------------------------------------------------------------------------


@pytest.fixture
def own_rule(project: Project) -> RateRule:
    return services.rate_rule_create(
        project=project,
        name="Horn section flat",
        kind="flat",
        currency="USD",
        params={"fee": "300"},
    )


def test_rate_rule_delete(as_owner: APIClient, own_rule: RateRule) -> None:
    assert as_owner.delete(f"/api/v1/rate-rules/{own_rule.pk}/").status_code == 204
    assert not RateRule.objects.filter(pk=own_rule.pk).exists()


def test_a_rate_rule_that_prices_an_engagement_is_kept(
    as_owner: APIClient, session: Session, player: Person, own_rule: RateRule
) -> None:
    assert engage(as_owner, session, player, own_rule).status_code == 201

    response = as_owner.delete(f"/api/v1/rate-rules/{own_rule.pk}/")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "Rate rule “Horn section flat” prices 1 engagement; it stays with them. "
        "Make a new rule for new engagements."
    }
    assert RateRule.objects.filter(pk=own_rule.pk).exists()


def test_a_preset_is_never_deleted(as_owner: APIClient, union: RateRule) -> None:
    refused = as_owner.delete(f"/api/v1/rate-rules/{union.pk}/")
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "Presets are shared: copy one into your project to change it."
    )
    # The service refuses too, for its other callers (the admin).
    with pytest.raises(ValidationError) as refusal:
        services.rate_rule_delete(rule=union)
    assert refusal.value.message_dict == {
        "project": ["Presets are shared: they come with the app."]
    }
    assert RateRule.objects.filter(pk=union.pk).exists()


def test_who_may_delete_a_rate_rule(
    as_collaborator: APIClient, as_outsider: APIClient, own_rule: RateRule
) -> None:
    refused = as_collaborator.delete(f"/api/v1/rate-rules/{own_rule.pk}/")
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "Your role on this project may not do this (sessions.manage)."
    )
    assert as_outsider.delete(f"/api/v1/rate-rules/{own_rule.pk}/").status_code == 404
    assert RateRule.objects.filter(pk=own_rule.pk).exists()


# --- payee details ------------------------------------------------------------------------------


@pytest.fixture
def details(player: Person, played: Engagement) -> PayeeDetails:
    """The player's tax details, kept by their payer (the owner engaged them)."""
    return services.payee_save(person=player, tax_status=PayeeDetails.TaxStatus.W9_ON_FILE)


def test_payee_details_delete(as_owner: APIClient, details: PayeeDetails) -> None:
    assert as_owner.delete(f"/api/v1/payees/{details.pk}/").status_code == 204
    assert not PayeeDetails.objects.filter(pk=details.pk).exists()
    assert Payment.objects.get().status == "pending"  # the pay itself is not touched


def test_payee_details_of_someone_paid_are_kept(
    as_owner: APIClient, owner: Any, details: PayeeDetails, played: Engagement
) -> None:
    approve(played, owner)

    response = as_owner.delete(f"/api/v1/payees/{details.pk}/")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "Ezra Winds has approved or paid payments: the year-end report reads these "
        "details. Change them instead."
    }
    assert PayeeDetails.objects.filter(pk=details.pk).exists()


def test_who_may_delete_payee_details(
    as_collaborator: APIClient, as_outsider: APIClient, details: PayeeDetails
) -> None:
    # Pay is need-to-know: a viewer of the project does not even see them (no role sees money
    # without managing it, so there is no 403 here, only the 404 of the unseen).
    assert as_collaborator.delete(f"/api/v1/payees/{details.pk}/").status_code == 404
    assert as_outsider.delete(f"/api/v1/payees/{details.pk}/").status_code == 404
    assert PayeeDetails.objects.filter(pk=details.pk).exists()


# --- the admin ----------------------------------------------------------------------------------


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    client.force_login(UserFactory.create(username="root", is_staff=True, is_superuser=True))
    return client


def test_admin_deletes_a_take_through_its_service(admin_client: Client, session: Session) -> None:
    take = services.take_create(session=session, song_name="Low Tide")
    response = admin_client.post(f"/admin/recording/take/{take.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Take.objects.filter(pk=take.pk).exists()


def test_admin_keeps_the_payee_details_of_someone_paid(
    admin_client: Client, owner: Any, details: PayeeDetails, played: Engagement
) -> None:
    approve(played, owner, paid=True)

    response = admin_client.post(
        f"/admin/recording/payeedetails/{details.pk}/delete/", {"post": "yes"}, follow=True
    )

    assert [str(m) for m in response.context["messages"]] == [
        "Ezra Winds has approved or paid payments: the year-end report reads these details. "
        "Change them instead."
    ]
    assert PayeeDetails.objects.filter(pk=details.pk).exists()
