"""The admin writes through the services the API and the pages use: deletes of budgets,
billing plans, projects, contacts' cards, masters, deliverables and covers (files after the
commit), song versions only with their song; engagements saved by engagement_save (priced,
their payment in step), budget lines by budget_line_save, billing milestones by
billing_milestone_save, on their pages and in the budget's and plan's inlines. Each refusal
is an error message (a delete) or the form shown again with the service's words (a save),
and nothing is written."""

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from budgets import services as budget_services
from budgets.models import Budget, BudgetLine
from budgets.models.billing import BillingMilestone, BillingPlan
from projects.models import Person, PersonCard, Project, Role
from releases import services as release_services
from releases.models import Artwork, Deliverable, Master, Release, Track
from sessions import services as session_services
from sessions.models import Engagement, Payment, RateRule, Session
from songs import services as song_services
from songs.models import Song
from songs.models.versions import SongVersion
from tests.budgets.test_billing import plan  # noqa: F401  (a fixture)
from tests.factories import MembershipFactory, PersonFactory, ProjectFactory
from tests.releases.audio_files import tone
from tests.releases.factories import cover_jpeg
from tests.sessions.test_api import player, room, session, union  # noqa: F401  (fixtures)
from tests.test_admin_deletes import (  # noqa: F401  (fixtures)
    admin_client,
    budget,
    confirm_delete,
    deletions,
    messages_of,
    played,
    release,
    root,
    spied,
    stored,
    track_with_files,
)

pytestmark = pytest.mark.django_db


# --- budgets and billing plans ------------------------------------------------------------------


def test_admin_deletes_a_draft_budget_with_its_lines(
    admin_client: Client,  # noqa: F811
    budget: Budget,  # noqa: F811
) -> None:
    assert budget.lines.count() > 0

    response = confirm_delete(admin_client, f"/admin/budgets/budget/{budget.pk}/")

    assert response.redirect_chain == [("/admin/budgets/budget/", 302)]
    assert (Budget.objects.count(), BudgetLine.objects.count()) == (0, 0)
    assert deletions() == 1


def test_admin_keeps_an_approved_budget_with_the_services_message(
    admin_client: Client,  # noqa: F811
    budget: Budget,  # noqa: F811
) -> None:
    budget_services.budget_approve(budget=budget)
    lines = budget.lines.count()

    response = confirm_delete(admin_client, f"/admin/budgets/budget/{budget.pk}/")

    assert response.redirect_chain == [(f"/admin/budgets/budget/{budget.pk}/change/", 302)]
    assert messages_of(response) == [
        "Version 1 is approved and kept as it is; make a new version to re-forecast."
    ]
    assert Budget.objects.get(pk=budget.pk).approved_at is not None
    assert BudgetLine.objects.filter(budget=budget).count() == lines
    assert deletions() == 0


def test_admin_deletes_a_billing_plan_whose_milestones_all_wait(
    admin_client: Client,  # noqa: F811
    plan: BillingPlan,  # noqa: F811
) -> None:
    budget_services.billing_milestone_save(
        plan=plan, kind="mix_approved", label="Mixes approved", percent=Decimal(40)
    )

    response = confirm_delete(admin_client, f"/admin/budgets/billingplan/{plan.pk}/")

    assert response.redirect_chain == [("/admin/budgets/billingplan/", 302)]
    assert (BillingPlan.objects.count(), BillingMilestone.objects.count()) == (0, 0)
    assert deletions() == 1


def test_admin_keeps_a_billing_plan_with_a_reached_milestone(
    admin_client: Client,  # noqa: F811
    plan: BillingPlan,  # noqa: F811
) -> None:
    deposit = budget_services.billing_milestone_save(
        plan=plan, kind="deposit", label="Deposit", percent=Decimal(30)
    )
    budget_services.billing_milestone_save(
        plan=plan, kind="mix_approved", label="Mixes approved", percent=Decimal(40)
    )
    assert deposit.reached_at is not None

    response = confirm_delete(admin_client, f"/admin/budgets/billingplan/{plan.pk}/")

    assert response.redirect_chain == [(f"/admin/budgets/billingplan/{plan.pk}/change/", 302)]
    assert messages_of(response) == [
        f"Deposit was reached on {deposit.reached_at:%d %b %Y} and its invoice drafted: it no "
        "longer changes (edit or delete the draft on the invoice page)."
    ]
    assert BillingMilestone.objects.filter(plan=plan).count() == 2
    assert deletions() == 0


# --- projects and contacts ----------------------------------------------------------------------


def versioned_song(project: Project, tmp_path: Path) -> tuple[Song, list[str]]:
    """A song of the project with an uploaded mix: the stored file's name with it."""
    song = song_services.song_create(project=project, title="Low Tide")
    wav = tone(tmp_path / "mix.wav", seconds=1.0)
    version = song_services.version_upload(
        song=song, kind="mix", upload=SimpleUploadedFile(wav.name, wav.read_bytes()), by=None
    )
    assert default_storage.exists(version.file.name)
    return song, [version.file.name]


def test_admin_deletes_a_project_it_produces_with_its_songs_files(
    admin_client: Client,  # noqa: F811
    root: Any,  # noqa: F811
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    project = ProjectFactory.create(title="Paper Lanterns")
    MembershipFactory.create(project=project, user=root, role=Role.PRODUCER)
    song, files = versioned_song(project, tmp_path)

    with django_capture_on_commit_callbacks(execute=True):
        response = confirm_delete(admin_client, f"/admin/projects/project/{project.pk}/")

    assert response.redirect_chain == [("/admin/projects/project/", 302)]
    assert not Project.objects.filter(pk=project.pk).exists()
    assert (Song.objects.count(), SongVersion.objects.count()) == (0, 0)
    assert [default_storage.exists(name) for name in files] == [False]
    assert deletions() == 1


def test_admin_keeps_a_project_the_signed_in_user_only_manages(
    admin_client: Client,  # noqa: F811
    root: Any,  # noqa: F811
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    project = ProjectFactory.create(title="Paper Lanterns")
    MembershipFactory.create(project=project, user=root, role=Role.MANAGER)
    song, files = versioned_song(project, tmp_path)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = confirm_delete(admin_client, f"/admin/projects/project/{project.pk}/")

    assert response.redirect_chain == [(f"/admin/projects/project/{project.pk}/change/", 302)]
    assert messages_of(response) == ["Your role may not delete this project."]
    assert callbacks == []
    assert Song.objects.get().project == project
    assert [default_storage.exists(name) for name in files] == [True]
    assert deletions() == 0


def test_admin_deletes_a_card_as_the_api_deletes_the_contact(
    admin_client: Client,  # noqa: F811
    root: Any,  # noqa: F811
    project: Project,
) -> None:
    second = ProjectFactory.create(title="Other Shore")
    for managed in (project, second):
        MembershipFactory.create(project=managed, user=root, role=Role.MANAGER)
    person = PersonFactory.create(name="Mara Lind", projects=[project, second])
    card = PersonCard.objects.get(person=person, project=project)

    page = admin_client.get(f"/admin/projects/personcard/{card.pk}/delete/")
    response = confirm_delete(admin_client, f"/admin/projects/personcard/{card.pk}/")

    # The confirmation names what goes: the person with both cards.
    assert dict(page.context["model_count"]) == {"people": 1, "person cards": 2}
    assert response.redirect_chain == [("/admin/projects/personcard/", 302)]
    assert not Person.objects.filter(pk=person.pk).exists()
    assert not PersonCard.objects.exists()
    assert deletions() == 1


def test_admin_keeps_a_card_of_a_contact_on_a_project_it_does_not_manage(
    admin_client: Client,  # noqa: F811
    root: Any,  # noqa: F811
    project: Project,
) -> None:
    elsewhere = ProjectFactory.create(title="Other Shore")
    MembershipFactory.create(project=project, user=root, role=Role.MANAGER)
    person = PersonFactory.create(name="Mara Lind", projects=[project, elsewhere])
    card = PersonCard.objects.get(person=person, project=project)

    response = confirm_delete(admin_client, f"/admin/projects/personcard/{card.pk}/")

    assert response.redirect_chain == [(f"/admin/projects/personcard/{card.pk}/change/", 302)]
    assert messages_of(response) == [
        "Mara Lind is also on projects you do not manage (1); remove them from your projects "
        "instead."
    ]
    assert PersonCard.objects.filter(person=person).count() == 2
    assert deletions() == 0


# --- masters, deliverables and covers: their files go after the commit --------------------------


def test_admin_deletes_a_master_and_its_file_keeping_the_track(
    admin_client: Client,  # noqa: F811
    release: Release,  # noqa: F811
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    track = track_with_files(release, 1, tmp_path)
    master_file, deliverable_file = stored(track)

    with django_capture_on_commit_callbacks(execute=True):
        response = confirm_delete(admin_client, f"/admin/releases/master/{track.master.pk}/")

    # No change permission: the admin goes back to its index.
    assert response.redirect_chain == [("/admin/", 302)]
    assert (Master.objects.count(), Track.objects.count(), Deliverable.objects.count()) == (0, 1, 1)
    assert default_storage.exists(master_file) is False
    assert default_storage.exists(deliverable_file) is True
    assert deletions() == 1


def test_admin_deletes_a_deliverable_and_its_file(
    admin_client: Client,  # noqa: F811
    release: Release,  # noqa: F811
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    track = track_with_files(release, 1, tmp_path)
    master_file, deliverable_file = stored(track)
    deliverable = track.deliverables.get()

    with django_capture_on_commit_callbacks(execute=True):
        response = confirm_delete(admin_client, f"/admin/releases/deliverable/{deliverable.pk}/")

    # No change permission: the admin goes back to its index.
    assert response.redirect_chain == [("/admin/", 302)]
    assert (Deliverable.objects.count(), Master.objects.count()) == (0, 1)
    assert default_storage.exists(deliverable_file) is False
    assert default_storage.exists(master_file) is True
    assert deletions() == 1


def test_admin_deletes_a_cover_and_its_files(
    admin_client: Client,  # noqa: F811
    release: Release,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
) -> None:
    artwork = release_services.artwork_set(release=release, data=cover_jpeg(), filename="c.jpg")
    files = [artwork.image.name, artwork.thumbnail.name]
    assert [default_storage.exists(name) for name in files] == [True, True]

    with django_capture_on_commit_callbacks(execute=True):
        response = confirm_delete(admin_client, f"/admin/releases/artwork/{artwork.pk}/")

    # No change permission: the admin goes back to its index.
    assert response.redirect_chain == [("/admin/", 302)]
    assert not Artwork.objects.exists()
    assert Release.objects.filter(pk=release.pk).exists()
    assert [default_storage.exists(name) for name in files] == [False, False]
    assert deletions() == 1


def test_admin_never_deletes_a_song_version_alone(
    admin_client: Client,  # noqa: F811
    project: Project,
    tmp_path: Path,
) -> None:
    song, files = versioned_song(project, tmp_path)
    version = SongVersion.objects.get(song=song)

    response = confirm_delete(admin_client, f"/admin/songs/songversion/{version.pk}/")
    changelist = admin_client.get("/admin/songs/songversion/")

    assert response.redirect_chain == [(f"/admin/songs/songversion/{version.pk}/change/", 302)]
    assert messages_of(response) == [
        "Mix v1 stays: a song's versions are numbered without gaps and an approved one is kept "
        "as approved. Versions go with their song."
    ]
    # "Delete selected" was the list's only action: it offers none.
    assert changelist.context["action_form"] is None
    assert SongVersion.objects.filter(pk=version.pk).exists()
    assert [default_storage.exists(name) for name in files] == [True]
    assert deletions() == 0


# --- saves: the form data of an admin page ------------------------------------------------------


def page_data(response: Any) -> dict[str, Any]:
    """The POST an admin change page sends as it stands: its form's and inlines' values."""
    forms = [response.context["adminform"].form]
    data: dict[str, Any] = {}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        forms += [formset.management_form, *formset.forms]
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = "on" if value is True else value
    return data


def errors_of(response: Any) -> dict[str, list[str]]:
    assert response.status_code == 200
    return {k: list(v) for k, v in response.context["adminform"].form.errors.items()}


# --- engagements --------------------------------------------------------------------------------


def test_admin_adds_an_engagement_priced_with_its_payment(
    admin_client: Client,  # noqa: F811
    session: Session,  # noqa: F811
    player: Person,  # noqa: F811
    union: RateRule,  # noqa: F811
) -> None:
    quote = session_services.engagement_quote(
        session=session, person=player, rate_rule=union, role="musician", hours=Decimal(3)
    )
    assert quote.total > 0

    response = admin_client.post(
        "/admin/recording/engagement/add/",
        {
            "session": session.pk,
            "person": player.pk,
            "role": "musician",
            "instrument": "",
            "doubles": "[]",
            "hours": "3",
            "cartage": "[]",
            "rate_rule": union.pk,
        },
        follow=True,
    )

    assert response.redirect_chain == [("/admin/recording/engagement/", 302)]
    engagement = Engagement.objects.get()
    assert (engagement.wages, engagement.employer_contributions, engagement.fee) == (
        quote.wages,
        quote.employer,
        quote.total,
    )
    assert engagement.currency == quote.currency == "USD"
    payment = Payment.objects.get()
    assert (payment.engagement, payment.person, payment.amount, payment.status) == (
        engagement,
        player,
        quote.wages,
        Payment.Status.PENDING,
    )


def test_admin_changes_an_engagements_hours_repricing_its_pending_payment(
    admin_client: Client,  # noqa: F811
    played: Engagement,  # noqa: F811
) -> None:
    url = f"/admin/recording/engagement/{played.pk}/change/"
    data = {**page_data(admin_client.get(url)), "hours": "5.00"}
    quote = session_services.engagement_quote(
        session=played.session,
        person=played.person,
        rate_rule=played.rate_rule,
        role=played.role,
        hours=Decimal(5),
    )
    assert quote.total != played.fee

    response = admin_client.post(url, data, follow=True)

    assert response.redirect_chain == [("/admin/recording/engagement/", 302)]
    engagement = Engagement.objects.get(pk=played.pk)
    assert (engagement.hours, engagement.fee) == (Decimal("5.00"), quote.total)
    assert Payment.objects.get(engagement=played).amount == quote.wages


def test_admin_keeps_an_engagement_whose_payment_is_approved_unchanged(
    admin_client: Client,  # noqa: F811
    owner: Any,
    played: Engagement,  # noqa: F811
) -> None:
    session_services.payment_approve(payment=played.payment, by=owner)
    url = f"/admin/recording/engagement/{played.pk}/change/"
    data = {**page_data(admin_client.get(url)), "hours": "5.00"}

    response = admin_client.post(url, data)

    assert errors_of(response) == {
        "__all__": ["Its payment is already approved; the engagement can no longer change."]
    }
    engagement = Engagement.objects.get(pk=played.pk)
    assert (engagement.hours, engagement.fee) == (played.hours, played.fee)
    assert Payment.objects.get(engagement=played).amount == played.payment.amount


def test_the_sessions_engagements_inline_is_read_only(
    admin_client: Client,  # noqa: F811
    played: Engagement,  # noqa: F811
) -> None:
    response = admin_client.get(f"/admin/recording/session/{played.session_id}/change/")

    [inline] = [
        f for f in response.context["inline_admin_formsets"] if f.formset.model is Engagement
    ]
    assert (inline.has_add_permission, inline.has_change_permission) == (False, False)
    assert f"/admin/recording/engagement/{played.pk}/change/" in response.content.decode()


# --- budget lines -------------------------------------------------------------------------------


def test_admin_adds_a_line_to_a_draft_budget(
    admin_client: Client,  # noqa: F811
    budget: Budget,  # noqa: F811
) -> None:
    before = budget.lines.count()

    response = admin_client.post(
        "/admin/budgets/budgetline/add/",
        {"budget": budget.pk, "category": "mixing", "description": "Stems", "planned": "1200.50"},
        follow=True,
    )

    assert response.redirect_chain == [("/admin/budgets/budgetline/", 302)]
    assert budget.lines.count() == before + 1
    line = budget.lines.get(description="Stems")
    assert (line.category, line.planned) == ("mixing", Decimal("1200.50"))


def test_admin_adds_no_line_to_an_approved_budget(
    admin_client: Client,  # noqa: F811
    budget: Budget,  # noqa: F811
) -> None:
    budget_services.budget_approve(budget=budget)
    before = budget.lines.count()

    response = admin_client.post(
        "/admin/budgets/budgetline/add/",
        {"budget": budget.pk, "category": "mixing", "description": "Stems", "planned": "1200.50"},
    )

    assert errors_of(response) == {
        "__all__": ["Version 1 is approved and kept as it is; make a new version to re-forecast."]
    }
    assert budget.lines.count() == before


def test_admin_changes_no_line_of_an_approved_budget(
    admin_client: Client,  # noqa: F811
    budget: Budget,  # noqa: F811
) -> None:
    budget_services.budget_approve(budget=budget)
    line = budget.lines.order_by("pk").first()
    assert line is not None
    url = f"/admin/budgets/budgetline/{line.pk}/change/"

    response = admin_client.post(url, {**page_data(admin_client.get(url)), "planned": "999.00"})

    assert errors_of(response) == {
        "__all__": ["Version 1 is approved and kept as it is; make a new version to re-forecast."]
    }
    assert BudgetLine.objects.get(pk=line.pk).planned == line.planned


def test_the_budgets_inline_saves_its_lines_through_the_service(
    admin_client: Client,  # noqa: F811
    budget: Budget,  # noqa: F811
) -> None:
    line = budget.lines.order_by("pk").first()
    assert line is not None
    url = f"/admin/budgets/budget/{budget.pk}/change/"
    data = page_data(admin_client.get(url))
    index = next(i for i in range(budget.lines.count()) if data[f"lines-{i}-id"] == line.pk)
    data[f"lines-{index}-planned"] = "2500.00"

    with spied(budget_services, "budget_line_save") as calls:
        response = admin_client.post(url, data, follow=True)

    assert response.redirect_chain == [("/admin/budgets/budget/", 302)]
    assert calls == [
        {
            "budget": budget.pk,
            "line": line.pk,
            "category": line.category,
            "description": line.description,
            "planned": Decimal("2500.00"),
        }
    ]
    assert BudgetLine.objects.get(pk=line.pk).planned == Decimal("2500.00")


def test_the_budgets_inline_changes_no_line_of_an_approved_budget(
    admin_client: Client,  # noqa: F811
    budget: Budget,  # noqa: F811
) -> None:
    approved = budget_services.budget_approve(budget=budget)
    line = budget.lines.order_by("pk").first()
    assert line is not None
    url = f"/admin/budgets/budget/{budget.pk}/change/"
    data = page_data(admin_client.get(url))
    index = next(i for i in range(budget.lines.count()) if data[f"lines-{i}-id"] == line.pk)
    data[f"lines-{index}-planned"] = "2500.00"
    data["notes"] = "changed with it"

    response = admin_client.post(url, data)

    assert errors_of(response) == {
        "__all__": ["Version 1 is approved and kept as it is; make a new version to re-forecast."]
    }
    assert BudgetLine.objects.get(pk=line.pk).planned == line.planned
    # The budget's own change went back with the refused line, and its approval stays (the
    # page shows it, it does not send it).
    kept = Budget.objects.get(pk=budget.pk)
    assert (kept.notes, kept.approved_at) == (budget.notes, approved.approved_at)


def test_admin_makes_no_budget_version_by_hand(admin_client: Client) -> None:  # noqa: F811
    # budget_create numbers a version and gives it its lines: the API and the budget page.
    assert admin_client.get("/admin/budgets/budget/add/").status_code == 403


# --- billing milestones -------------------------------------------------------------------------


def test_admin_adds_a_deposit_which_drafts_its_invoice(
    admin_client: Client,  # noqa: F811
    plan: BillingPlan,  # noqa: F811
) -> None:
    response = admin_client.post(
        "/admin/budgets/billingmilestone/add/",
        {"plan": plan.pk, "kind": "deposit", "label": "Deposit", "percent": "30", "position": 0},
        follow=True,
    )

    assert response.redirect_chain == [("/admin/budgets/billingmilestone/", 302)]
    deposit = BillingMilestone.objects.get()
    assert (deposit.percent, deposit.reached_at is not None) == (Decimal("30.00"), True)
    assert deposit.invoice is not None
    assert deposit.invoice.status == "draft"


def test_admin_adds_no_milestone_past_the_whole_fee(
    admin_client: Client,  # noqa: F811
    plan: BillingPlan,  # noqa: F811
) -> None:
    budget_services.billing_milestone_save(
        plan=plan, kind="mix_approved", label="Mixes approved", percent=Decimal(80)
    )

    response = admin_client.post(
        "/admin/budgets/billingmilestone/add/",
        {
            "plan": plan.pk,
            "kind": "master_delivered",
            "label": "Master",
            "percent": "30",
            "position": 1,
        },
    )

    assert errors_of(response) == {
        "percent": ["The other milestones take 80.00 % already: at most 100 % in all."]
    }
    assert BillingMilestone.objects.count() == 1


def test_admin_changes_no_reached_milestone(
    admin_client: Client,  # noqa: F811
    plan: BillingPlan,  # noqa: F811
) -> None:
    deposit = budget_services.billing_milestone_save(
        plan=plan, kind="deposit", label="Deposit", percent=Decimal(30)
    )
    url = f"/admin/budgets/billingmilestone/{deposit.pk}/change/"

    response = admin_client.post(url, {**page_data(admin_client.get(url)), "label": "Advance"})

    assert errors_of(response) == {
        "__all__": [
            f"Deposit was reached on {deposit.reached_at:%d %b %Y} and its invoice drafted: it "
            "no longer changes (edit or delete the draft on the invoice page)."
        ]
    }
    assert BillingMilestone.objects.get(pk=deposit.pk).label == "Deposit"


def test_the_plans_inline_changes_no_reached_milestone(
    admin_client: Client,  # noqa: F811
    plan: BillingPlan,  # noqa: F811
) -> None:
    deposit = budget_services.billing_milestone_save(
        plan=plan, kind="deposit", label="Deposit", percent=Decimal(30)
    )
    url = f"/admin/budgets/billingplan/{plan.pk}/change/"
    data = {**page_data(admin_client.get(url)), "milestones-0-label": "Advance"}

    response = admin_client.post(url, data)

    assert errors_of(response) == {
        "__all__": [
            f"Deposit was reached on {deposit.reached_at:%d %b %Y} and its invoice drafted: it "
            "no longer changes (edit or delete the draft on the invoice page)."
        ]
    }
    assert BillingMilestone.objects.get(pk=deposit.pk).label == "Deposit"


def test_the_plans_inline_adds_a_milestone_through_the_service(
    admin_client: Client,  # noqa: F811
    plan: BillingPlan,  # noqa: F811
) -> None:
    url = f"/admin/budgets/billingplan/{plan.pk}/change/"
    data = page_data(admin_client.get(url))
    data |= {
        "milestones-TOTAL_FORMS": "1",
        "milestones-0-kind": "mix_approved",
        "milestones-0-label": "Mixes approved",
        "milestones-0-percent": "40",
        "milestones-0-position": "2",
        "milestones-0-plan": plan.pk,
    }

    response = admin_client.post(url, data, follow=True)

    assert response.redirect_chain == [("/admin/budgets/billingplan/", 302)]
    milestone = BillingMilestone.objects.get()
    assert (milestone.label, milestone.percent, milestone.position, milestone.reached_at) == (
        "Mixes approved",
        Decimal("40.00"),
        2,
        None,
    )
