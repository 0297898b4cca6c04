"""Milestone billing: milestones reached by moving songs draft their invoice once."""

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from budgets import services
from budgets.milestones import milestone_reached, stage_passed
from budgets.models import Invoice
from budgets.models.billing import BillingMilestone, BillingPlan
from budgets.services.billing import BillingParties
from projects.models import Project, Role
from songs import services as song_services
from songs.models import Song
from tests.conftest import api_client_for
from tests.factories import MembershipFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

PARTIES: BillingParties = {
    "issuer_name": "Harbour Lane Productions",
    "issuer_address": "Harbour Lane 12\n20457 Hamburg",
    "issuer_vat": "DE136695976",
    "recipient_name": "Invented Records",
    "recipient_address": "Quay Street 4\nBristol",
    "recipient_email": "accounts@example.com",
}


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def plan(project: Project) -> BillingPlan:
    return services.billing_plan_create(
        project=project,
        total_fee=Decimal("10000.00"),
        tax_rate=Decimal(19),
        series="PROD",
        **PARTIES,
    )


def songs(project: Project, *stages: str) -> list[Song]:
    return [
        song_services.song_create(project=project, title=f"Song {n}", stage=stage)
        for n, stage in enumerate(stages)
    ]


def drafts(project: Project) -> list[Invoice]:
    return list(Invoice.objects.filter(project=project).order_by("pk"))


def test_stage_rules_count_skipped_stages_as_passed() -> None:
    assert stage_passed("overdubs", "overdubs", [])
    assert not stage_passed("tracking", "overdubs", [])
    assert stage_passed("tracking", "overdubs", ["tracking"])
    assert not stage_passed("pre_production", "overdubs", ["tracking"])
    assert stage_passed("mixing", "mastering", ["mixing", "editing"])
    assert not milestone_reached("tracking_done", [], [])  # at least one song
    assert milestone_reached("deposit", [], [])
    assert milestone_reached("mix_approved", ["mastering", "done"], [])
    assert not milestone_reached("master_delivered", ["mastering", "done"], [])


def test_deposit_drafts_its_invoice_at_once(
    owner: Any, project: Project, plan: BillingPlan
) -> None:
    deposit = services.billing_milestone_save(
        plan=plan, kind="deposit", label="Deposit", percent=Decimal(30)
    )
    assert deposit.reached_at is not None and deposit.invoice is not None
    invoice = deposit.invoice
    assert (invoice.status, invoice.series, invoice.currency) == ("draft", "PROD", "EUR")
    assert (invoice.issuer_name, invoice.recipient_email) == (
        "Harbour Lane Productions",
        "accounts@example.com",
    )
    [line] = invoice.lines.all()
    assert (line.description, line.quantity, line.unit_price, line.tax_rate) == (
        "Deposit: Low Tide",
        Decimal(1),
        Decimal("3000.00"),
        Decimal(19),
    )
    # Checking again drafts nothing more.
    assert services.billing_check(project=project) == []
    assert drafts(project) == [invoice]


def test_moving_songs_reaches_milestones_once(
    owner: Any, project: Project, plan: BillingPlan
) -> None:
    first, second = songs(project, "tracking", "tracking")
    tracking = services.billing_milestone_save(
        plan=plan, kind="tracking_done", label="Tracking done", amount=Decimal("2500.00")
    )
    mix = services.billing_milestone_save(
        plan=plan, kind="mix_approved", label="Mix approved", percent=Decimal("40")
    )
    assert tracking.reached_at is None and drafts(project) == []

    song_services.song_move(song=first, stage="overdubs", by=owner)
    tracking.refresh_from_db()
    assert tracking.reached_at is None  # the second song is still tracking

    song_services.song_move(song=second, stage="editing", by=owner)
    tracking.refresh_from_db()
    assert tracking.reached_at is not None
    [invoice] = drafts(project)
    assert tracking.invoice == invoice
    assert invoice.lines.get().unit_price == Decimal("2500.00")

    # Back to tracking and forward again: the milestone is reached once, drafted once.
    song_services.song_move(song=second, stage="tracking", by=owner)
    song_services.song_move(song=second, stage="overdubs", by=owner)
    assert drafts(project) == [invoice]

    for song in (first, second):
        song_services.song_move(song=song, stage="mastering", by=owner)
    mix.refresh_from_db()
    assert mix.invoice is not None
    assert mix.invoice.lines.get().unit_price == Decimal("4000.00")
    assert len(drafts(project)) == 2
    assert {i.status for i in drafts(project)} == {"draft"}


def test_skipped_stages_count_as_passed(owner: Any, project: Project, plan: BillingPlan) -> None:
    [song] = songs(project, "mixing")
    project.skipped_song_stages = ["mastering"]
    project.save(update_fields=["skipped_song_stages"])
    mix = services.billing_milestone_save(plan=plan, kind="mix_approved", amount=Decimal(100))
    assert mix.label == "Mix approved" and mix.reached_at is None
    project.skipped_song_stages = ["mixing", "mastering"]
    project.save(update_fields=["skipped_song_stages"])
    # No move yet: "check now" reads the stages as they are.
    [reached] = services.billing_check(project=project)
    assert reached.pk == mix.pk
    assert song.stage == "mixing"


def test_a_reached_milestone_no_longer_changes(
    as_owner: APIClient, project: Project, plan: BillingPlan
) -> None:
    deposit = services.billing_milestone_save(plan=plan, kind="deposit", amount=Decimal(500))
    changed = as_owner.patch(
        f"/api/v1/billing-milestones/{deposit.pk}/", {"amount": "600.00"}, format="json"
    )
    assert changed.status_code == 409
    assert "reached" in changed.json()["detail"]
    assert as_owner.delete(f"/api/v1/billing-milestones/{deposit.pk}/").status_code == 409
    assert as_owner.post(f"/api/v1/billing-milestones/{deposit.pk}/reach/").status_code == 409
    deposit.refresh_from_db()
    assert deposit.amount == Decimal(500)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "tracking_done", "amount": "100.00", "percent": "10"}, "amount"),
        ({"kind": "tracking_done"}, "amount"),
        ({"kind": "tracking_done", "amount": "0"}, "amount"),
        ({"kind": "tracking_done", "amount": "10.005"}, "amount"),
        ({"kind": "tracking_done", "percent": "0"}, "percent"),
        ({"kind": "tracking_done", "percent": "100.5"}, "percent"),
        ({"kind": "tracking_done", "percent": "80"}, "percent"),  # with the 30 % already in
        ({"kind": "rehearsal", "amount": "100.00"}, "kind"),
    ],
)
def test_amount_or_percent_refusals(
    as_owner: APIClient, project: Project, plan: BillingPlan, body: dict[str, str], field: str
) -> None:
    services.billing_milestone_save(plan=plan, kind="mix_approved", percent=Decimal(30))
    response = as_owner.post(
        "/api/v1/billing-milestones/", {"plan": plan.pk, **body}, format="json"
    )
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert plan.milestones.count() == 1


def test_a_percent_needs_the_plans_total(as_owner: APIClient, project: Project) -> None:
    created = as_owner.post(
        "/api/v1/billing-plans/", {"project": project.pk, **PARTIES}, format="json"
    )
    assert created.status_code == 201, created.json()
    assert (created.json()["currency"], created.json()["total_fee"]) == ("EUR", None)
    plan_id = created.json()["id"]
    refused = as_owner.post(
        "/api/v1/billing-milestones/",
        {"plan": plan_id, "kind": "mix_approved", "percent": "25"},
        format="json",
    )
    assert refused.status_code == 400
    assert "total" in refused.json()["percent"][0]
    again = as_owner.post(
        "/api/v1/billing-plans/", {"project": project.pk, **PARTIES}, format="json"
    )
    assert again.status_code == 409
    bad = as_owner.patch(
        f"/api/v1/billing-plans/{plan_id}/",
        {"issuer_iban": "DE00 1234"},
        format="json",
    )
    assert bad.status_code == 400 and "issuer_iban" in bad.json()
    mail = as_owner.patch(
        f"/api/v1/billing-plans/{plan_id}/", {"recipient_email": "nobody"}, format="json"
    )
    assert mail.status_code == 400 and "recipient_email" in mail.json()
    total = as_owner.patch(
        f"/api/v1/billing-plans/{plan_id}/", {"total_fee": "8000.00"}, format="json"
    )
    assert total.status_code == 200
    added = as_owner.post(
        "/api/v1/billing-milestones/",
        {"plan": plan_id, "kind": "mix_approved", "percent": "25"},
        format="json",
    )
    assert added.status_code == 201, added.json()
    assert (added.json()["due"], added.json()["status"]) == ("2000.00", "waiting")
    dropped = as_owner.patch(
        f"/api/v1/billing-plans/{plan_id}/", {"total_fee": None}, format="json"
    )
    assert dropped.status_code == 400 and "total_fee" in dropped.json()


def test_check_now_and_reach_by_hand(
    as_owner: APIClient, owner: Any, project: Project, plan: BillingPlan
) -> None:
    songs(project, "done", "done")  # made done: no move, no watcher
    master = services.billing_milestone_save(
        plan=plan, kind="master_delivered", label="Master delivered", amount=Decimal(1500)
    )
    tracking = services.billing_milestone_save(plan=plan, kind="tracking_done", amount=Decimal(1))
    # Saving a milestone checks the plan: both are reached by songs already done.
    master.refresh_from_db()
    assert master.invoice is not None and tracking.invoice is not None
    body = as_owner.post(f"/api/v1/billing-plans/{plan.pk}/check/").json()
    assert [m["status"] for m in body["milestones"]] == ["reached", "reached"]
    assert len(drafts(project)) == 2
    other = ProjectFactory.create(title="Empty record")
    MembershipFactory.create(project=other, user=owner, role=Role.PRODUCER)
    empty = services.billing_plan_create(project=other, **PARTIES)
    waiting = services.billing_milestone_save(plan=empty, kind="tracking_done", amount=Decimal(9))
    assert waiting.reached_at is None  # no songs: nothing is done
    reached = as_owner.post(f"/api/v1/billing-milestones/{waiting.pk}/reach/")
    assert reached.status_code == 200 and reached.json()["status"] == "reached"
    assert (
        Invoice.objects.get(project=other).lines.get().description == "Tracking done: Empty record"
    )


def test_who_sees_and_who_writes(
    as_owner: APIClient, owner: Any, outsider: Any, project: Project, plan: BillingPlan
) -> None:
    milestone = services.billing_milestone_save(plan=plan, kind="mix_approved", amount=Decimal(100))
    manager = UserFactory.create(username="manager")
    MembershipFactory.create(project=project, user=manager, role=Role.MANAGER)
    as_manager = api_client_for(manager)
    # A manager sees the money but does not draft invoices: 403.
    assert as_manager.get(f"/api/v1/billing-plans/{plan.pk}/").status_code == 200
    for url, method, body in [
        (f"/api/v1/billing-plans/{plan.pk}/", "patch", {"series": "X"}),
        (f"/api/v1/billing-plans/{plan.pk}/check/", "post", {}),
        (f"/api/v1/billing-milestones/{milestone.pk}/", "patch", {"label": "Mine"}),
        (f"/api/v1/billing-milestones/{milestone.pk}/reach/", "post", {}),
        ("/api/v1/billing-milestones/", "post", {"plan": plan.pk, "kind": "deposit"}),
    ]:
        assert getattr(as_manager, method)(url, body, format="json").status_code == 403, url
    assert signed_in(manager).get(f"/projects/{project.pk}/billing/").status_code == 200
    assert signed_in(manager).post(f"/billing-milestones/{milestone.pk}/reach/").status_code == 403
    # An outsider, and a viewer who does not see money, find nothing: 404.
    as_outsider = api_client_for(outsider)
    assert as_outsider.get(f"/api/v1/billing-plans/{plan.pk}/").status_code == 404
    assert as_outsider.post(f"/api/v1/billing-milestones/{milestone.pk}/reach/").status_code == 404
    assert (
        as_outsider.post(
            "/api/v1/billing-milestones/", {"plan": plan.pk, "kind": "deposit"}, format="json"
        ).status_code
        == 404
    )
    assert signed_in(outsider).get(f"/projects/{project.pk}/billing/").status_code == 404
    assert signed_in(outsider).post(f"/billing-milestones/{milestone.pk}/reach/").status_code == 404
    milestone.refresh_from_db()
    assert milestone.reached_at is None and milestone.label == "Mix approved"


def test_billing_page_makes_a_plan_and_milestones(owner: Any, project: Project) -> None:
    client = signed_in(owner)
    page = client.get(f"/projects/{project.pk}/billing/").content.decode()
    assert "Make a billing plan" in page
    form = {f"plan-{k}": v for k, v in PARTIES.items()}
    form.update({"plan-series": "TS", "plan-payment_terms_days": "14", "plan-tax_rate": "0"})
    refused = client.post(f"/projects/{project.pk}/billing/", {**form, "plan-total_fee": "-5"})
    assert refused.status_code == 400 and not BillingPlan.objects.exists()
    made = client.post(f"/projects/{project.pk}/billing/", {**form, "plan-total_fee": "9000"})
    assert made.status_code == 302
    plan = BillingPlan.objects.get()
    both = client.post(
        f"/billing-plans/{plan.pk}/milestones/",
        {"milestone-kind": "deposit", "milestone-amount": "100", "milestone-percent": "10"},
    )
    assert both.status_code == 400
    assert "not both" in both.content.decode()
    assert not BillingMilestone.objects.exists()
    client.post(
        f"/billing-plans/{plan.pk}/milestones/",
        {"milestone-kind": "deposit", "milestone-label": "Deposit", "milestone-percent": "20"},
    )
    client.post(
        f"/billing-plans/{plan.pk}/milestones/",
        {"milestone-kind": "master_delivered", "milestone-amount": "1200.00"},
    )
    page = client.get(f"/projects/{project.pk}/billing/").content.decode()
    deposit = BillingMilestone.objects.get(kind="deposit")
    assert f"Draft invoice #{deposit.invoice_id}" in page
    assert "1,800.00 EUR" in page and "Waiting" in page
    budget = services.budget_create(project=project)
    assert (
        f"/projects/{project.pk}/billing/" in client.get(f"/budgets/{budget.pk}/").content.decode()
    )


def test_billing_plans_list_in_fixed_queries(
    as_owner: APIClient, owner: Any, django_assert_num_queries: Any
) -> None:
    def make(n: int) -> None:
        project = ProjectFactory.create(title=f"Record {n}")
        MembershipFactory.create(project=project, user=owner, role=Role.PRODUCER)
        plan = services.billing_plan_create(project=project, total_fee=Decimal(1000), **PARTIES)
        for kind in ("tracking_done", "mix_approved"):
            services.billing_milestone_save(plan=plan, kind=kind, percent=Decimal(10))

    make(0)
    with django_assert_num_queries(3):  # count, plans, their milestones
        assert len(as_owner.get("/api/v1/billing-plans/").json()["results"]) == 1
    for n in range(1, 6):
        make(n)
    with django_assert_num_queries(3):
        assert len(as_owner.get("/api/v1/billing-plans/").json()["results"]) == 6
    with django_assert_num_queries(2):  # count, milestones with their plans
        assert as_owner.get("/api/v1/billing-milestones/").json()["count"] == 12


def test_a_draft_that_cannot_be_made_does_not_undo_the_move(
    owner: Any, project: Project, plan: BillingPlan
) -> None:
    [song] = songs(project, "tracking")
    milestone = services.billing_milestone_save(plan=plan, kind="tracking_done", amount=Decimal(5))
    # A plan changed behind the service's back (the admin, a script): its series no longer
    # passes the invoice's checks.
    BillingPlan.objects.filter(pk=plan.pk).update(series="bad series")
    moved = song_services.song_move(song=song, stage="overdubs", by=owner)
    assert moved.stage == "overdubs"
    song.refresh_from_db()
    assert song.stage == "overdubs" and song.stage_changes.count() == 1
    milestone.refresh_from_db()
    assert milestone.reached_at is None and not Invoice.objects.exists()
    # Fixed, "check now" drafts it.
    services.billing_plan_update(plan=plan, series="TS")
    assert [m.pk for m in services.billing_check(project=project)] == [milestone.pk]


@pytest.mark.parametrize("milestones", [2, 8])
def test_billing_page_in_fixed_queries(
    owner: Any, project: Project, plan: BillingPlan, milestones: int, django_assert_num_queries: Any
) -> None:
    songs(project, "done")
    kinds = ["deposit", "tracking_done", "mix_approved", "master_delivered"]
    for n in range(milestones):
        services.billing_milestone_save(plan=plan, kind=kinds[n % 4], amount=Decimal(10 + n))
    client = signed_in(owner)
    # Session, user, project, role, plan, milestones with their invoices, budget, and the
    # layout's own reads: the same whatever the number of milestones.
    with django_assert_num_queries(9):
        page = client.get(f"/projects/{project.pk}/billing/").content.decode()
    assert page.count("Reached on") == milestones
