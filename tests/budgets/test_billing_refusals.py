"""Billing plans' refusals, each with its exact answer and nothing written: the VAT reason that
goes with a 0 % rate only, a milestone kind that is none of ours, and a percent milestone with no
total fee to take its share of (refused where it is added, where the total is dropped, and where
a plan written around the service reaches it)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.html import escape
from rest_framework.test import APIClient

from budgets import services
from budgets.models import Invoice
from budgets.models.billing import BillingMilestone, BillingPlan
from projects.models import Project, Role
from songs import services as song_services
from tests.budgets.test_billing import PARTIES, plan, signed_in  # noqa: F401
from tests.factories import MembershipFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def plan_row(plan_id: int) -> Any:
    return BillingPlan.objects.filter(pk=plan_id).values().get()


def milestone_rows() -> list[Any]:
    return list(BillingMilestone.objects.order_by("pk").values())


def said(request: HttpRequest) -> list[tuple[str, str]]:
    """The messages a page queued for the next one, with their level."""
    return [(m.level_tag, m.message) for m in get_messages(request)]


def plan_form(**changes: str) -> dict[str, str]:
    """The billing page's plan form, as a browser sends it."""
    fields: dict[str, str] = {f"plan-{name}": str(value) for name, value in PARTIES.items()}
    fields.update(
        {
            "plan-series": "TS",
            "plan-payment_terms_days": "14",
            "plan-total_fee": "9000.00",
            "plan-tax_rate": "0",
            "plan-vat_exemption": "",
            "plan-vat_exemption_reference": "",
        }
    )
    fields.update({f"plan-{name}": value for name, value in changes.items()})
    return fields


# --- the VAT reason goes with 0 % ---------------------------------------------------------------

TAXED_BUT_EXEMPT = "Lines taxed at 19 % are not exempt."
PROVISION_ALONE = "A provision goes with a reason: give vat_exemption."


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"tax_rate": "19", "vat_exemption": "exempt"}, {"vat_exemption": [TAXED_BUT_EXEMPT]}),
        (
            {"tax_rate": "19.50", "vat_exemption": "reverse_charge"},
            {"vat_exemption": ["Lines taxed at 19.5 % are not exempt."]},
        ),
        (
            {"tax_rate": "0", "vat_exemption_reference": "Article 135(1) of 2006/112/EC"},
            {"vat_exemption_reference": [PROVISION_ALONE]},
        ),
        (
            {"tax_rate": "0", "vat_exemption": "holiday"},
            {"vat_exemption": ['"holiday" is not a valid choice.']},
        ),
    ],
)
def test_a_new_plan_with_a_vat_reason_that_does_not_hold(
    as_owner: APIClient, project: Project, body: dict[str, str], expected: dict[str, list[str]]
) -> None:
    response = as_owner.post(
        "/api/v1/billing-plans/", {"project": project.pk, **PARTIES, **body}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == expected
    assert not BillingPlan.objects.exists()


def test_a_plan_changed_to_a_vat_reason_that_does_not_hold(
    as_owner: APIClient,
    plan: BillingPlan,  # noqa: F811
) -> None:
    before = plan_row(plan.pk)
    exempt = as_owner.patch(
        f"/api/v1/billing-plans/{plan.pk}/", {"vat_exemption": "exempt"}, format="json"
    )
    assert exempt.status_code == 400
    assert exempt.json() == {"vat_exemption": [TAXED_BUT_EXEMPT]}
    provision = as_owner.patch(
        f"/api/v1/billing-plans/{plan.pk}/",
        {"tax_rate": "0", "vat_exemption_reference": "Article 196 of 2006/112/EC"},
        format="json",
    )
    assert provision.status_code == 400
    assert provision.json() == {"vat_exemption_reference": [PROVISION_ALONE]}
    # The tax rate went to 0 in the same refused write: it is not kept either.
    assert plan_row(plan.pk) == before
    # Both together hold.
    reverse = as_owner.patch(
        f"/api/v1/billing-plans/{plan.pk}/",
        {
            "tax_rate": "0",
            "vat_exemption": "reverse_charge",
            "vat_exemption_reference": "Article 196 of 2006/112/EC",
        },
        format="json",
    )
    assert reverse.status_code == 200, reverse.json()
    assert (reverse.json()["tax_rate"], reverse.json()["vat_exemption"]) == (
        "0.00",
        "reverse_charge",
    )


def test_a_plan_stays_with_its_project(
    as_owner: APIClient,
    owner: Any,
    plan: BillingPlan,  # noqa: F811
) -> None:
    other = ProjectFactory.create(title="Second Wind")
    MembershipFactory.create(project=other, user=owner, role=Role.PRODUCER)
    before = plan_row(plan.pk)
    response = as_owner.patch(
        f"/api/v1/billing-plans/{plan.pk}/", {"project": other.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"project": ["A plan stays with its project."]}
    assert plan_row(plan.pk) == before
    assert not BillingPlan.objects.filter(project=other).exists()


def test_the_service_refuses_a_reason_that_is_none(project: Project) -> None:
    """The API and the page offer only the reasons there are; a caller of the service may
    name any."""
    with pytest.raises(ValidationError) as refused:
        services.billing_plan_create(project=project, vat_exemption="holiday", **PARTIES)
    assert refused.value.message_dict == {"vat_exemption": ["Not a reason: 'holiday'."]}
    assert not BillingPlan.objects.exists()


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"tax_rate": "19", "vat_exemption": "exempt"}, {"vat_exemption": [TAXED_BUT_EXEMPT]}),
        (
            {"vat_exemption_reference": "Article 135(1) of 2006/112/EC"},
            {"vat_exemption_reference": [PROVISION_ALONE]},
        ),
    ],
)
def test_the_page_says_the_vat_refusal_beside_its_field(
    owner: Any, project: Project, changes: dict[str, str], expected: dict[str, list[str]]
) -> None:
    response = signed_in(owner).post(f"/projects/{project.pk}/billing/", plan_form(**changes))
    assert response.status_code == 400
    assert response.context["plan_form"].errors == expected
    [message] = next(iter(expected.values()))
    assert escape(message) in response.content.decode()
    assert not BillingPlan.objects.exists()


# --- milestone kinds ---------------------------------------------------------------------------


def test_the_service_refuses_a_kind_that_is_none(plan: BillingPlan) -> None:  # noqa: F811
    with pytest.raises(ValidationError) as refused:
        services.billing_milestone_save(plan=plan, kind="rehearsal", amount=Decimal(100))
    assert refused.value.message_dict == {"kind": ["Not a milestone: 'rehearsal'."]}
    assert not BillingMilestone.objects.exists()
    milestone = services.billing_milestone_save(plan=plan, kind="mix_approved", amount=Decimal(100))
    before = milestone_rows()
    with pytest.raises(ValidationError) as changed:
        services.billing_milestone_save(plan=plan, milestone=milestone, kind="rehearsal")
    assert changed.value.message_dict == {"kind": ["Not a milestone: 'rehearsal'."]}
    assert milestone_rows() == before


def test_the_api_and_the_page_offer_only_the_kinds_there_are(
    as_owner: APIClient,
    owner: Any,
    plan: BillingPlan,  # noqa: F811
) -> None:
    response = as_owner.post(
        "/api/v1/billing-milestones/",
        {"plan": plan.pk, "kind": "rehearsal", "amount": "100.00"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"kind": ['"rehearsal" is not a valid choice.']}
    page = signed_in(owner).post(
        f"/billing-plans/{plan.pk}/milestones/",
        {"milestone-kind": "rehearsal", "milestone-amount": "100.00"},
    )
    assert page.status_code == 400
    assert page.context["milestone_form"].errors == {
        "kind": ["Select a valid choice. rehearsal is not one of the available choices."]
    }
    assert not BillingMilestone.objects.exists()


# --- a percent is a share of the total fee ------------------------------------------------------

NO_TOTAL = "A percent is a share of the plan's total fee: set the total first."
KEEP_TOTAL = "Milestones in percent are shares of the total: keep a total fee."
NO_SHARE = "A percent is a share of the plan's total fee."


@pytest.fixture
def plan_without_total(project: Project) -> BillingPlan:
    return services.billing_plan_create(project=project, tax_rate=Decimal(19), **PARTIES)


def test_a_percent_milestone_needs_a_total(
    as_owner: APIClient, owner: Any, plan_without_total: BillingPlan
) -> None:
    with pytest.raises(ValidationError) as refused:
        services.billing_milestone_save(
            plan=plan_without_total, kind="mix_approved", percent=Decimal(25)
        )
    assert refused.value.message_dict == {"percent": [NO_TOTAL]}
    api = as_owner.post(
        "/api/v1/billing-milestones/",
        {"plan": plan_without_total.pk, "kind": "mix_approved", "percent": "25"},
        format="json",
    )
    assert api.status_code == 400
    assert api.json() == {"percent": [NO_TOTAL]}
    page = signed_in(owner).post(
        f"/billing-plans/{plan_without_total.pk}/milestones/",
        {"milestone-kind": "mix_approved", "milestone-percent": "25"},
    )
    assert page.status_code == 400
    assert page.context["milestone_form"].errors == {"percent": [NO_TOTAL]}
    assert escape(NO_TOTAL) in page.content.decode()
    # A deposit in percent would have drafted its invoice at once: nothing was.
    assert not BillingMilestone.objects.exists()
    assert not Invoice.objects.exists()


def test_the_total_stays_while_a_percent_milestone_waits(
    as_owner: APIClient,
    owner: Any,
    project: Project,
    plan: BillingPlan,  # noqa: F811
) -> None:
    services.billing_milestone_save(plan=plan, kind="mix_approved", percent=Decimal(25))
    before = plan_row(plan.pk)
    api = as_owner.patch(f"/api/v1/billing-plans/{plan.pk}/", {"total_fee": None}, format="json")
    assert api.status_code == 400
    assert api.json() == {"total_fee": [KEEP_TOTAL]}
    page = signed_in(owner).post(
        f"/projects/{project.pk}/billing/", plan_form(total_fee="", series="PROD", tax_rate="19")
    )
    assert page.status_code == 400
    assert page.context["plan_form"].errors == {"total_fee": [KEEP_TOTAL]}
    # The plan was saved before the check: the whole write rolled back.
    assert plan_row(plan.pk) == before
    assert plan_row(plan.pk)["total_fee"] == Decimal("10000.00")
    # A new total is a total: saved, and the waiting share follows it.
    changed = signed_in(owner).post(
        f"/projects/{project.pk}/billing/",
        plan_form(total_fee="12000.00", series="PROD", tax_rate="19"),
    )
    assert changed.status_code == 302
    assert said(changed.wsgi_request) == [("success", "Billing plan saved.")]
    [milestone] = as_owner.get(f"/api/v1/billing-plans/{plan.pk}/").json()["milestones"]
    assert (milestone["percent"], milestone["due"]) == ("25.00", "3000.00")


def test_a_reached_percent_milestone_lets_the_total_go(
    as_owner: APIClient,
    plan: BillingPlan,  # noqa: F811
) -> None:
    deposit = services.billing_milestone_save(plan=plan, kind="deposit", percent=Decimal(30))
    response = as_owner.patch(
        f"/api/v1/billing-plans/{plan.pk}/", {"total_fee": None}, format="json"
    )
    assert response.status_code == 200, response.json()
    [milestone] = response.json()["milestones"]
    # With no total a percent bills nothing more; the draft keeps what it billed.
    assert (milestone["status"], milestone["percent"], milestone["due"]) == (
        "reached",
        "30.00",
        None,
    )
    assert deposit.invoice is not None
    assert deposit.invoice.lines.get().unit_price == Decimal("3000.00")


@pytest.fixture
def share_of_nothing(project: Project, plan: BillingPlan) -> BillingMilestone:  # noqa: F811
    """A waiting 25 % milestone of a plan whose total went behind the service's back (the
    admin, a script): drafting it has no amount to bill."""
    milestone = services.billing_milestone_save(
        plan=plan, kind="master_delivered", label="Master delivered", percent=Decimal(25)
    )
    BillingPlan.objects.filter(pk=plan.pk).update(total_fee=None)
    return milestone


def test_reaching_a_share_of_no_total_is_refused(
    as_owner: APIClient, share_of_nothing: BillingMilestone
) -> None:
    before = milestone_rows()
    with pytest.raises(ValidationError) as refused:
        services.billing_milestone_reach(milestone=share_of_nothing)
    assert refused.value.message_dict == {"percent": [NO_SHARE]}
    response = as_owner.post(f"/api/v1/billing-milestones/{share_of_nothing.pk}/reach/")
    assert response.status_code == 400
    assert response.json() == {"percent": [NO_SHARE]}
    assert milestone_rows() == before
    assert not Invoice.objects.exists()


def test_the_reach_button_says_why_nothing_was_drafted(
    owner: Any, project: Project, share_of_nothing: BillingMilestone
) -> None:
    before = milestone_rows()
    response = signed_in(owner).post(f"/billing-milestones/{share_of_nothing.pk}/reach/")
    assert response.status_code == 302
    assert response["Location"] == f"/projects/{project.pk}/billing/"
    assert said(response.wsgi_request) == [("error", NO_SHARE)]
    assert milestone_rows() == before
    assert not Invoice.objects.exists()


def test_check_now_says_why_nothing_was_drafted(
    as_owner: APIClient, owner: Any, project: Project, share_of_nothing: BillingMilestone
) -> None:
    # Made done: no move, no watcher; only "check now" reads the stages.
    song_services.song_create(project=project, title="Only Song", stage="done")
    before = milestone_rows()
    with pytest.raises(ValidationError) as refused:
        services.billing_check(project=project)
    assert refused.value.message_dict == {"percent": [NO_SHARE]}
    api = as_owner.post(f"/api/v1/billing-plans/{share_of_nothing.plan_id}/check/")
    assert api.status_code == 400
    assert api.json() == {"percent": [NO_SHARE]}
    page = signed_in(owner).post(f"/billing-plans/{share_of_nothing.plan_id}/check/")
    assert page.status_code == 302
    assert said(page.wsgi_request) == [
        ("error", f"A milestone's invoice could not be drafted: {NO_SHARE}")
    ]
    assert milestone_rows() == before
    assert not Invoice.objects.exists()


def test_check_now_drafts_what_the_songs_reach_and_says_so(
    owner: Any,
    collaborator: Any,
    outsider: Any,
    project: Project,
    plan: BillingPlan,  # noqa: F811
) -> None:
    master = services.billing_milestone_save(
        plan=plan, kind="master_delivered", label="Master delivered", amount=Decimal(1500)
    )
    url = f"/billing-plans/{plan.pk}/check/"
    # The viewer does not see money, the outsider not the project: neither checks.
    assert signed_in(collaborator).post(url).status_code == 403
    assert signed_in(outsider).post(url).status_code == 404
    # (A client per press: each reads only the messages of its own.)
    nothing = signed_in(owner).post(url)
    assert said(nothing.wsgi_request) == [("info", "No milestone waiting is reached yet.")]
    song_services.song_create(project=project, title="Only Song", stage="done")
    reached = signed_in(owner).post(url)
    assert reached.status_code == 302
    assert said(reached.wsgi_request) == [
        ("success", "Reached: Master delivered. Check the draft invoices, then issue them.")
    ]
    master.refresh_from_db()
    assert master.invoice is not None
    assert master.invoice.lines.get().unit_price == Decimal("1500.00")
    # Nothing waits any more: checking again drafts nothing.
    again = signed_in(owner).post(url)
    assert said(again.wsgi_request) == [("info", "No milestone waiting is reached yet.")]
    assert Invoice.objects.count() == 1


def test_a_project_without_a_plan_drafts_nothing(owner: Any, project: Project) -> None:
    [song] = [song_services.song_create(project=project, title="Only Song", stage="mastering")]
    song_services.song_move(song=song, stage="done", by=owner)
    assert services.billing_check(project=project) == []
    assert not Invoice.objects.exists()
