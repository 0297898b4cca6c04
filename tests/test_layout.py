"""What the layout of apps by noun (docs/architecture.md) promises beyond the imports, which
`make lint` checks: old addresses of the admin still lead to their pages, queued tasks still
find their workers, and every task beat sends is one a worker knows."""

import pytest
from django.conf import settings
from django.test import Client

from config.celery import app as celery_app
from tests.factories import PersonFactory, ProjectFactory, StudioFactory, UserFactory


@pytest.fixture
def admin_client(db: None) -> Client:
    client = Client()
    client.force_login(UserFactory.create(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/admin/studio/person/", "/admin/projects/person/"),
        ("/admin/studio/project/?status=recording", "/admin/projects/project/?status=recording"),
        ("/admin/studio/song/7/change/", "/admin/songs/song/7/change/"),
        ("/admin/studio/songpart/", "/admin/songs/songpart/"),
        ("/admin/releases/songversion/3/delete/", "/admin/songs/songversion/3/delete/"),
    ],
)
def test_an_old_admin_address_of_a_moved_model_leads_to_its_page(
    admin_client: Client, old: str, new: str
) -> None:
    response = admin_client.get(old)
    assert response.status_code == 301 and response["Location"] == new


def test_the_admin_of_models_that_stayed_is_not_redirected(admin_client: Client) -> None:
    assert admin_client.get("/admin/studio/studio/").status_code == 200
    assert admin_client.get("/admin/releases/release/").status_code == 200
    assert admin_client.get("/admin/studio/nothing/").status_code == 404


def test_a_person_opens_at_the_old_and_the_new_address(admin_client: Client) -> None:
    person = PersonFactory.create(name="Juniper Ashgrove")
    page = admin_client.get(f"/admin/studio/person/{person.pk}/change/", follow=True)
    assert page.status_code == 200 and "Juniper Ashgrove" in page.content.decode()
    assert page.redirect_chain == [(f"/admin/projects/person/{person.pk}/change/", 301)]


def worker_tasks() -> set[str]:
    """The tasks a worker knows once it has loaded every app's tasks module, as it does when
    it starts."""
    celery_app.loader.import_default_modules()
    return set(celery_app.tasks)


def test_tasks_keep_the_names_they_were_queued_under() -> None:
    """A message queued before the apps moved names the task as it was then."""
    known = worker_tasks()
    for name in (
        "studio.tasks.membership_notify",
        "studio.tasks.membership_notify_sweep",
        "studio.tasks.notice_send",
        "studio.tasks.notices_sweep",
        "studio.tasks.holds_expire",
        "studio.tasks.holds_warn_lapsing",
        "releases.tasks.version_analyse",
        "releases.tasks.master_analyse",
    ):
        assert name in known, name


def test_every_task_beat_sends_is_known_to_a_worker() -> None:
    sent = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert sent - worker_tasks() == set()
    assert "songs.tasks.versions_sweep" in sent


def test_the_admin_picks_a_projects_studios_as_before(admin_client: Client) -> None:
    """The studios a project uses are Studio's field now (``Studio.projects``); the project's
    admin page still offers them, and saving it sets them."""
    used, picked = StudioFactory.create(name="Harbour Lane"), StudioFactory.create(name="Quayside")
    project = ProjectFactory.create(title="Low Tide Sessions", artist="The Marlow Echoes")
    project.studios.add(used)
    url = f"/admin/projects/project/{project.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert 'name="studios"' in page and f'<option value="{used.pk}" selected>' in page
    data = {
        "title": project.title,
        "artist": project.artist,
        "client": project.client,
        "currency": project.currency,
        "status": project.status,
        "song_stage_names": "{}",
        "skipped_song_stages": "[]",
        "studios": [str(picked.pk)],
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(project.studios.all()) == [picked]
