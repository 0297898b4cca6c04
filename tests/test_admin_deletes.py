"""The admin deletes budget lines, invoice lines, billing milestones, engagements, tracks,
releases, songs, parts and people through their services (core.admin.ServiceDeleteAdmin):
what the service takes with a row goes too (files after the commit), what it refuses is an
error message and nothing goes. The inlines that would delete such rows behind the service
delete none."""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from budgets import services as budget_services
from budgets.models import Budget, BudgetLine, Invoice, InvoiceLine
from budgets.models.billing import BillingMilestone, BillingPlan
from projects import services as project_services
from projects.models import Person, PersonCard, Project, Role
from releases import services as release_services
from releases.models import Artwork, Deliverable, Master, Release, Track
from sessions import services as session_services
from sessions.models import Engagement, Payment, RateRule, Session, Take
from songs import services as song_services
from songs.models import Part, PartStatus, Song, SongPart
from tests.budgets.test_billing import plan  # noqa: F401  (a fixture)
from tests.budgets.test_invoices import draft
from tests.clock import today
from tests.factories import MembershipFactory, PersonFactory, ProjectFactory, UserFactory
from tests.releases.audio_files import tone
from tests.releases.factories import ReleaseFactory, TrackFactory, cover_jpeg
from tests.sessions.test_api import engage, player, room, session, union  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def root() -> Any:
    return UserFactory.create(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(root: Any) -> Client:
    client = Client()
    client.force_login(root)
    return client


def confirm_delete(client: Client, url: str) -> Any:
    """The POST of the admin's delete confirmation page of the object at ``url``."""
    return client.post(f"{url}delete/", {"post": "yes"}, follow=True)


@contextmanager
def spied(module: Any, name: str) -> Iterator[list[dict[str, Any]]]:
    """The calls of ``module.name`` as they were made: rows by primary key (a deleted row's
    is None afterwards), other arguments as given; each answered by the service."""
    calls: list[dict[str, Any]] = []
    service = getattr(module, name)

    def spy(**kwargs: Any) -> Any:
        calls.append({key: getattr(value, "pk", value) for key, value in kwargs.items()})
        return service(**kwargs)

    with mock.patch.object(module, name, spy):
        yield calls


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def deletions() -> int:
    return LogEntry.objects.filter(action_flag=DELETION).count()


# --- budget lines -------------------------------------------------------------------------------


@pytest.fixture
def budget(project: Project) -> Budget:
    """Version 1, a draft with the template's lines."""
    return budget_services.budget_create(project=project)


def test_admin_deletes_a_draft_budgets_line_through_the_service(
    admin_client: Client, budget: Budget
) -> None:
    line = budget.lines.order_by("pk").first()
    assert line is not None
    left = budget.lines.count() - 1

    with spied(budget_services, "budget_line_delete") as calls:
        response = confirm_delete(admin_client, f"/admin/budgets/budgetline/{line.pk}/")

    assert response.redirect_chain == [("/admin/budgets/budgetline/", 302)]
    assert calls == [{"line": line.pk}]
    assert not BudgetLine.objects.filter(pk=line.pk).exists()
    assert budget.lines.count() == left
    assert deletions() == 1


def test_admin_keeps_an_approved_budgets_line_with_the_services_message(
    admin_client: Client, budget: Budget
) -> None:
    budget_services.budget_approve(budget=budget)
    line = budget.lines.order_by("pk").first()
    assert line is not None
    count = budget.lines.count()

    response = confirm_delete(admin_client, f"/admin/budgets/budgetline/{line.pk}/")

    assert response.redirect_chain == [(f"/admin/budgets/budgetline/{line.pk}/change/", 302)]
    assert messages_of(response) == [
        "Version 1 is approved and kept as it is; make a new version to re-forecast."
    ]
    assert budget.lines.count() == count
    assert deletions() == 0


def test_admin_bulk_delete_with_an_approved_line_deletes_nothing(
    admin_client: Client, project: Project, budget: Budget
) -> None:
    budget_services.budget_approve(budget=budget)
    forecast = budget_services.budget_create(project=project)  # version 2, a draft
    approved_line = budget.lines.order_by("pk").first()
    draft_line = forecast.lines.order_by("pk").first()
    assert approved_line is not None and draft_line is not None
    before = BudgetLine.objects.count()

    response = admin_client.post(
        "/admin/budgets/budgetline/",
        {
            "action": "delete_selected",
            "_selected_action": [draft_line.pk, approved_line.pk],
            "post": "yes",
        },
        follow=True,
    )

    assert response.redirect_chain == [("/admin/budgets/budgetline/", 302)]
    assert messages_of(response) == [
        "Version 1 is approved and kept as it is; make a new version to re-forecast."
    ]
    # The draft's line, deleted before the refusal, came back with the rollback.
    assert BudgetLine.objects.count() == before
    assert BudgetLine.objects.filter(pk=draft_line.pk).exists()
    assert deletions() == 0


# --- invoice lines ------------------------------------------------------------------------------


def test_admin_deletes_a_draft_invoices_line_through_the_service(
    admin_client: Client, project: Project
) -> None:
    invoice = draft(project)
    line, *others = invoice.lines.order_by("pk")

    with spied(budget_services, "invoice_line_delete") as calls:
        response = confirm_delete(admin_client, f"/admin/budgets/invoiceline/{line.pk}/")

    assert response.redirect_chain == [("/admin/budgets/invoiceline/", 302)]
    assert calls == [{"line": line.pk}]
    assert list(invoice.lines.order_by("pk")) == others
    assert deletions() == 1


def test_admin_never_deletes_an_issued_invoices_line(
    admin_client: Client, project: Project
) -> None:
    invoice = budget_services.invoice_issue(invoice=draft(project))
    line = invoice.lines.order_by("pk").first()
    assert line is not None

    # As for the invoice itself, the admin's permission refuses before the service is asked
    # (the line's model refuses too: FrozenInvoice).
    page = admin_client.post(f"/admin/budgets/invoiceline/{line.pk}/delete/", {"post": "yes"})
    selected = admin_client.post(
        "/admin/budgets/invoiceline/",
        {"action": "delete_selected", "_selected_action": [line.pk], "post": "yes"},
    )

    assert (page.status_code, selected.status_code) == (403, 403)
    assert Invoice.objects.get(pk=invoice.pk).lines.count() == 3
    assert deletions() == 0


# --- billing milestones -------------------------------------------------------------------------


def test_admin_deletes_a_waiting_milestone_through_the_service(
    admin_client: Client,
    plan: BillingPlan,  # noqa: F811
) -> None:
    mix = budget_services.billing_milestone_save(
        plan=plan, kind="mix_approved", label="Mixes approved", percent=Decimal(40)
    )
    assert mix.reached_at is None

    with spied(budget_services, "billing_milestone_delete") as calls:
        response = confirm_delete(admin_client, f"/admin/budgets/billingmilestone/{mix.pk}/")

    assert response.redirect_chain == [("/admin/budgets/billingmilestone/", 302)]
    assert calls == [{"milestone": mix.pk}]
    assert not BillingMilestone.objects.exists()
    assert deletions() == 1


def test_admin_keeps_a_reached_milestone_with_the_services_message(
    admin_client: Client,
    plan: BillingPlan,  # noqa: F811
) -> None:
    deposit = budget_services.billing_milestone_save(
        plan=plan, kind="deposit", label="Deposit", percent=Decimal(30)
    )
    assert deposit.reached_at is not None and deposit.invoice is not None

    response = confirm_delete(admin_client, f"/admin/budgets/billingmilestone/{deposit.pk}/")

    assert response.redirect_chain == [
        (f"/admin/budgets/billingmilestone/{deposit.pk}/change/", 302)
    ]
    assert messages_of(response) == [
        f"Deposit was reached on {deposit.reached_at:%d %b %Y} and its invoice drafted: it no "
        "longer changes (edit or delete the draft on the invoice page)."
    ]
    assert BillingMilestone.objects.get(pk=deposit.pk).invoice == deposit.invoice
    assert deletions() == 0


# --- engagements --------------------------------------------------------------------------------


@pytest.fixture
def played(
    as_owner: APIClient,
    session: Session,  # noqa: F811
    player: Person,  # noqa: F811
    union: RateRule,  # noqa: F811
) -> Engagement:
    """The player engaged on the session: a pending payment with it."""
    response = engage(as_owner, session, player, union)
    assert response.status_code == 201, response.json()
    return Engagement.objects.get(pk=response.json()["id"])


def test_admin_asks_before_deleting_an_engagement_with_its_pending_payment(
    admin_client: Client, played: Engagement
) -> None:
    # The payment's PROTECT does not stop the page: the service takes a pending payment along.
    response = admin_client.get(f"/admin/recording/engagement/{played.pk}/delete/")

    assert response.status_code == 200
    assert response.context["protected"] == []
    assert dict(response.context["model_count"]) == {"engagements": 1, "payments": 1}
    assert f"/admin/recording/payment/{played.payment.pk}/change/" in response.content.decode()


def test_admin_deletes_an_engagement_and_its_pending_payment_through_the_service(
    admin_client: Client, played: Engagement
) -> None:
    with spied(session_services, "engagement_delete") as calls:
        response = confirm_delete(admin_client, f"/admin/recording/engagement/{played.pk}/")

    assert response.redirect_chain == [("/admin/recording/engagement/", 302)]
    assert calls == [{"engagement": played.pk}]
    assert not Engagement.objects.exists()
    assert not Payment.objects.exists()
    assert deletions() == 1


def test_admin_keeps_an_engagement_whose_payment_is_approved(
    admin_client: Client, owner: Any, played: Engagement
) -> None:
    session_services.payment_approve(payment=played.payment, by=owner)

    response = confirm_delete(admin_client, f"/admin/recording/engagement/{played.pk}/")

    assert response.redirect_chain == [(f"/admin/recording/engagement/{played.pk}/change/", 302)]
    assert messages_of(response) == ["Its payment is already approved; keep the record."]
    assert Engagement.objects.filter(pk=played.pk).exists()
    assert Payment.objects.get(engagement=played).status == Payment.Status.APPROVED
    assert deletions() == 0


# --- tracks and releases: their files go after the commit ---------------------------------------


@pytest.fixture
def release(project: Project) -> Release:
    return ReleaseFactory.create(
        project=project, title="Paper Lanterns", release_date=today() + datetime.timedelta(days=60)
    )


def track_with_files(release: Release, position: int, tmp_path: Path) -> Track:
    """A track with a master (uploaded through its service) and an MP3 deliverable."""
    track = TrackFactory.create(release=release, position=position, title=f"Song {position}")
    wav = tone(tmp_path / f"master-{position}.wav", seconds=2.0)
    release_services.master_upload(
        track=track, upload=SimpleUploadedFile(wav.name, wav.read_bytes())
    )
    deliverable = Deliverable(
        track=track, target="mp3", key="k", size=3, sha256="0" * 64, md5="0" * 32, sample_rate=1
    )
    deliverable.file.save(f"release-{release.pk}/{position:02d}.mp3", ContentFile(b"ID3"))
    return track


def stored(track: Track) -> list[str]:
    names = [track.master.file.name, *(d.file.name for d in track.deliverables.all())]
    assert all(default_storage.exists(name) for name in names)
    return names


def test_admin_deletes_a_track_and_its_files_through_the_service(
    admin_client: Client,
    release: Release,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    track = track_with_files(release, 1, tmp_path)
    kept = track_with_files(release, 2, tmp_path)
    files, kept_files = stored(track), stored(kept)

    with (
        spied(release_services, "track_delete") as calls,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = confirm_delete(admin_client, f"/admin/releases/track/{track.pk}/")

    assert response.redirect_chain == [("/admin/releases/track/", 302)]
    assert calls == [{"track": track.pk}]
    assert list(release.tracks.all()) == [kept]
    assert [default_storage.exists(name) for name in files] == [False, False]
    assert [default_storage.exists(name) for name in kept_files] == [True, True]
    assert Master.objects.get().track == kept
    assert deletions() == 1


def test_admin_deletes_a_release_and_every_file_kept_for_it_through_the_service(
    admin_client: Client,
    release: Release,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    artwork = release_services.artwork_set(release=release, data=cover_jpeg(), filename="cover.jpg")
    track = track_with_files(release, 1, tmp_path)
    files = [artwork.image.name, artwork.thumbnail.name, *stored(track)]
    assert all(default_storage.exists(name) for name in files)

    with (
        spied(release_services, "release_delete") as calls,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = confirm_delete(admin_client, f"/admin/releases/release/{release.pk}/")

    assert response.redirect_chain == [("/admin/releases/release/", 302)]
    assert calls == [{"release": release.pk}]
    assert not Release.objects.exists()
    assert [m.objects.count() for m in (Track, Master, Deliverable, Artwork)] == [0, 0, 0, 0]
    assert [default_storage.exists(name) for name in files] == [False] * 4
    assert deletions() == 1


# --- songs, parts and people --------------------------------------------------------------------


def test_admin_deletes_a_song_through_the_service(
    admin_client: Client,
    project: Project,
    session: Session,  # noqa: F811
) -> None:
    song = song_services.song_create(project=project, title="Low Tide")
    take = session_services.take_create(session=session, song_name="Low Tide")
    assert take.song == song

    with spied(song_services, "song_delete") as calls:
        response = confirm_delete(admin_client, f"/admin/songs/song/{song.pk}/")

    assert response.redirect_chain == [("/admin/songs/song/", 302)]
    assert calls == [{"song": song.pk}]
    assert not Song.objects.exists()
    # The take keeps its typed name and loses only the link.
    take = Take.objects.get(pk=take.pk)
    assert (take.song_id, take.song_name) == (None, "Low Tide")
    assert deletions() == 1


def test_admin_deletes_a_part_with_its_cells_through_the_service(
    admin_client: Client, owner: Any, project: Project
) -> None:
    song = song_services.song_create(project=project, title="Low Tide")
    part = song_services.part_create(project=project, name="Bass")
    song_services.song_part_set(song=song, part=part, status=PartStatus.RECORDED, by=owner)

    # The confirmation page names the cell that goes with it: that is the confirmation.
    page = admin_client.get(f"/admin/songs/part/{part.pk}/delete/")
    assert dict(page.context["model_count"]) == {"parts": 1, "song parts": 1}
    with spied(song_services, "part_delete") as calls:
        response = confirm_delete(admin_client, f"/admin/songs/part/{part.pk}/")

    assert response.redirect_chain == [("/admin/songs/part/", 302)]
    assert calls == [{"part": part.pk, "confirmed": True}]
    assert (Part.objects.count(), SongPart.objects.count()) == (0, 0)
    assert deletions() == 1


def test_admin_deletes_a_person_of_a_project_it_manages_through_the_service(
    admin_client: Client, root: Any, project: Project
) -> None:
    MembershipFactory.create(project=project, user=root, role=Role.MANAGER)
    person = PersonFactory.create(name="Mara Lind", projects=[project])

    with spied(project_services, "person_delete") as calls:
        response = confirm_delete(admin_client, f"/admin/projects/person/{person.pk}/")

    assert response.redirect_chain == [("/admin/projects/person/", 302)]
    assert calls == [{"person": person.pk, "by": root.pk}]
    assert not Person.objects.filter(pk=person.pk).exists()
    assert not PersonCard.objects.exists()
    assert deletions() == 1


def test_admin_keeps_a_person_on_a_project_it_does_not_manage(
    admin_client: Client, root: Any, project: Project
) -> None:
    # person_delete has no superuser exemption (studio_delete has one): a contact on a project
    # the signed-in superuser has no managing role on stays.
    elsewhere = ProjectFactory.create(title="Other Shore")
    MembershipFactory.create(project=project, user=root, role=Role.MANAGER)
    person = PersonFactory.create(name="Mara Lind", projects=[project, elsewhere])

    response = confirm_delete(admin_client, f"/admin/projects/person/{person.pk}/")

    assert response.redirect_chain == [(f"/admin/projects/person/{person.pk}/change/", 302)]
    assert messages_of(response) == [
        "Mara Lind is also on projects you do not manage (1); remove them from your projects "
        "instead."
    ]
    assert PersonCard.objects.filter(person=person).count() == 2
    assert deletions() == 0


# --- inlines delete nothing behind the services -------------------------------------------------


def test_the_inlines_of_service_deleted_rows_offer_no_delete(
    admin_client: Client,
    project: Project,
    budget: Budget,
    plan: BillingPlan,  # noqa: F811
    played: Engagement,
    release: Release,
) -> None:
    invoice = draft(project)
    TrackFactory.create(release=release, title="Low Tide")
    pages = {
        "budget lines": f"/admin/budgets/budget/{budget.pk}/change/",
        "invoice lines": f"/admin/budgets/invoice/{invoice.pk}/change/",
        "milestones": f"/admin/budgets/billingplan/{plan.pk}/change/",
        "engagements": f"/admin/recording/session/{played.session_id}/change/",
        "tracks": f"/admin/releases/release/{release.pk}/change/",
    }
    inlines = {
        "budget lines": BudgetLine,
        "invoice lines": InvoiceLine,
        "milestones": BillingMilestone,
        "engagements": Engagement,
        "tracks": Track,
    }

    for name, url in pages.items():
        response = admin_client.get(url)
        assert response.status_code == 200, url
        [formset] = [
            f.formset
            for f in response.context["inline_admin_formsets"]
            if f.formset.model is inlines[name]
        ]
        assert formset.can_delete is False, name
        assert all("DELETE" not in form.fields for form in formset.forms), name
