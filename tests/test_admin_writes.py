"""The admin writes through the services the API and the pages use: deletes of budgets,
billing plans, projects, contacts' cards, masters, deliverables and covers (files after the
commit), song versions only with their song. Each refusal is an error message and nothing is
written."""

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from budgets import services as budget_services
from budgets.billing_models import BillingMilestone, BillingPlan
from budgets.models import Budget, BudgetLine
from releases import services as release_services
from releases.models import Artwork, Deliverable, Master, Release, Track
from releases.version_models import SongVersion
from studio import services as studio_services
from studio.models import Person, PersonCard, Project, Role, Song
from tests.budgets.test_billing import plan  # noqa: F401  (a fixture)
from tests.factories import MembershipFactory, PersonFactory, ProjectFactory
from tests.releases.audio_files import tone
from tests.releases.factories import cover_jpeg
from tests.test_admin_deletes import (  # noqa: F401  (fixtures)
    admin_client,
    budget,
    confirm_delete,
    deletions,
    messages_of,
    release,
    root,
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
    song = studio_services.song_create(project=project, title="Low Tide")
    wav = tone(tmp_path / "mix.wav", seconds=1.0)
    version = release_services.version_upload(
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
        response = confirm_delete(admin_client, f"/admin/studio/project/{project.pk}/")

    assert response.redirect_chain == [("/admin/studio/project/", 302)]
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
        response = confirm_delete(admin_client, f"/admin/studio/project/{project.pk}/")

    assert response.redirect_chain == [(f"/admin/studio/project/{project.pk}/change/", 302)]
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

    page = admin_client.get(f"/admin/studio/personcard/{card.pk}/delete/")
    response = confirm_delete(admin_client, f"/admin/studio/personcard/{card.pk}/")

    # The confirmation names what goes: the person with both cards.
    assert dict(page.context["model_count"]) == {"people": 1, "person cards": 2}
    assert response.redirect_chain == [("/admin/studio/personcard/", 302)]
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

    response = confirm_delete(admin_client, f"/admin/studio/personcard/{card.pk}/")

    assert response.redirect_chain == [(f"/admin/studio/personcard/{card.pk}/change/", 302)]
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

    response = confirm_delete(admin_client, f"/admin/releases/songversion/{version.pk}/")
    changelist = admin_client.get("/admin/releases/songversion/")

    assert response.redirect_chain == [(f"/admin/releases/songversion/{version.pk}/change/", 302)]
    assert messages_of(response) == [
        "Mix v1 stays: a song's versions are numbered without gaps and an approved one is kept "
        "as approved. Versions go with their song."
    ]
    # "Delete selected" was the list's only action: it offers none.
    assert changelist.context["action_form"] is None
    assert SongVersion.objects.filter(pk=version.pk).exists()
    assert [default_storage.exists(name) for name in files] == [True]
    assert deletions() == 0
