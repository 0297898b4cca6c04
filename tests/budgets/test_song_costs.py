"""Cost by song: the sessions' shares and the tagged costs, to the cent, in fixed queries."""

import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from rest_framework.test import APIClient

from budgets import services
from budgets.models import Budget, Cost
from budgets.selectors import budget_report
from budgets.song_costs import song_costs, split_evenly
from projects.models import Project, Role
from sessions import services as session_services
from sessions.models import RateRule, Session
from songs import services as song_services
from songs.models import Song
from studio import services as studio_services
from studio.models import Room
from tests.clock import AUTUMN_2026, freeze_at
from tests.factories import (
    MembershipFactory,
    PersonFactory,
    ProjectFactory,
    RoomFactory,
    StudioFactory,
    UserFactory,
)

# Its fixed days (sessions on a day of March 2027) are all ahead of the clock.
pytestmark = [pytest.mark.django_db, freeze_at(AUTUMN_2026)]

BERLIN = ZoneInfo("Europe/Berlin")
DAY = datetime.datetime(2027, 3, 3, 10, tzinfo=BERLIN)


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def room(owner: Any) -> Room:
    studio = StudioFactory.create(managers=[owner])
    # A 10-hour day is the day rate: 400.00, which three songs cannot share in equal cents.
    return RoomFactory.create(
        studio=studio, hourly_rate=Decimal(50), half_day_rate=Decimal(200), day_rate=Decimal(400)
    )


@pytest.fixture
def budget(project: Project) -> Budget:
    return services.budget_create(project=project)


def songs_of(project: Project, *titles: str) -> list[Song]:
    return [song_services.song_create(project=project, title=title) for title in titles]


def day_session(owner: Any, project: Project, room: Room, day: int, title: str) -> Session:
    start = DAY + datetime.timedelta(days=day)
    [booking] = studio_services.booking_create(
        by=owner,
        room=room,
        project=project,
        start=start,
        end=start + datetime.timedelta(hours=10),
        status="confirmed",
    )
    return session_services.session_create(project=project, booking=booking, title=title)


def pay(session: Session, project: Project, name: str, fee: str) -> None:
    rule, _ = RateRule.objects.get_or_create(
        project=project,
        name=f"Flat {fee}",
        kind="flat",
        currency="EUR",
        defaults={"params": {"fee": fee}},
    )
    session_services.engagement_save(
        session=session,
        person=PersonFactory.create(name=name, projects=[project]),
        rate_rule=rule,
        role="musician",
        hours=Decimal(3),
    )


def cost(project: Project, vendor: str, amount: str, *, song: Song | None, paid: bool) -> Cost:
    return services.cost_save(
        project=project,
        amount=Decimal(amount),
        currency="EUR",
        vendor=vendor,
        category="mixing",
        date=datetime.date(2026, 11, 1),
        status="paid" if paid else "committed",
        song=song,
    )


def test_split_evenly_gives_the_remainder_cent_to_the_first() -> None:
    assert split_evenly(Decimal("400.00"), 3, "EUR") == [
        Decimal("133.34"),
        Decimal("133.33"),
        Decimal("133.33"),
    ]
    assert split_evenly(Decimal("200.00"), 3, "EUR") == [
        Decimal("66.66"),
        Decimal("66.67"),
        Decimal("66.67"),
    ]
    assert split_evenly(Decimal("1000"), 3, "JPY") == [Decimal(334), Decimal(333), Decimal(333)]
    assert sum(split_evenly(Decimal("0.05"), 7, "EUR")) == Decimal("0.05")


def test_shares_sum_to_each_session_and_rows_to_the_project(
    owner: Any, project: Project, room: Room, budget: Budget
) -> None:
    anchor, breaker, coda = songs_of(project, "Anchor", "Breaker", "Coda")
    song_services.song_create(project=project, title="Drift")  # no session, no cost
    tracking = day_session(owner, project, room, 0, "Tracking day")
    for song in (anchor, breaker, coda, anchor):  # two takes of Anchor: one sharer
        session_services.take_create(session=tracking, song=song)
    pay(tracking, project, "Drummer", "300")
    pay(tracking, project, "Bassist", "100")
    # Planned for Breaker only, nothing recorded yet: all of it is Breaker's.
    overdubs = day_session(owner, project, room, 1, "Overdubs")
    overdubs.songs.set([breaker])
    pay(overdubs, project, "Singer", "250")
    # Neither takes nor planned songs: not assigned to a song.
    day_session(owner, project, room, 2, "Writing day")
    cost(project, "Mix House", "500.00", song=coda, paid=False)
    cost(project, "Mix House", "450.50", song=anchor, paid=True)
    cost(project, "Rail", "99.99", song=None, paid=True)

    report = song_costs(project=project)
    rows = {row.label: row for row in report.rows}
    assert list(rows) == ["Anchor", "Breaker", "Coda", "Drift"]
    # 400.00 of tracking in three: the odd cent to the first song by title.
    assert rows["Anchor"].studio_time == Decimal("133.34")
    assert rows["Breaker"].studio_time == Decimal("133.33") + Decimal("400.00")
    assert rows["Coda"].studio_time == Decimal("133.33")
    assert (rows["Anchor"].pay, rows["Breaker"].pay, rows["Coda"].pay) == (
        Decimal("133.34"),
        Decimal("133.33") + Decimal("250.00"),
        Decimal("133.33"),
    )
    assert (rows["Anchor"].costs_actual, rows["Coda"].costs_committed) == (
        Decimal("450.50"),
        Decimal("500.00"),
    )
    assert rows["Drift"].total == Decimal("0.00")
    assert (rows["Anchor"].sessions, rows["Breaker"].sessions, rows["Drift"].sessions) == (1, 2, 0)
    assert report.unassigned.studio_time == Decimal("400.00")
    assert report.unassigned.costs_actual == Decimal("99.99")
    # The shares of the tracking day add up to it, to the cent.
    tracking_shares = sum(rows[t].studio_time for t in ("Anchor", "Coda")) + Decimal("133.33")
    assert tracking_shares == Decimal("400.00")
    # The rows add up to the total, and the total is the project's money as the budget has it.
    everything = [*report.rows, report.unassigned]
    assert report.total.total == sum((row.total for row in everything), Decimal(0))
    assert report.total.studio_time == Decimal("1200.00")
    assert report.total.pay == Decimal("650.00")
    budget_rows = {row.category: row for row in budget_report(budget=budget).rows}
    assert report.total.studio_time == budget_rows["studio_time"].spent
    assert report.total.costs_committed + report.total.costs_actual == sum(
        Cost.objects.values_list("amount_converted", flat=True), Decimal(0)
    )
    assert report.total.sessions == 3


def test_cost_tagged_with_another_projects_song_is_refused(
    as_owner: APIClient, owner: Any, project: Project
) -> None:
    other = ProjectFactory.create(title="Other record")
    MembershipFactory.create(project=other, user=owner, role=Role.PRODUCER)
    [foreign] = songs_of(other, "Elsewhere")
    [hidden] = songs_of(ProjectFactory.create(title="Not mine"), "Hidden")
    [own] = songs_of(project, "Anchor")
    body = {
        "project": project.pk,
        "category": "mixing",
        "vendor": "Mix House",
        "date": "2026-11-01",
        "amount": "300.00",
        "currency": "EUR",
    }
    for song in (foreign, hidden):
        response = as_owner.post("/api/v1/costs/", {**body, "song": song.pk}, format="json")
        assert response.status_code == 400, response.json()
        assert "song" in response.json()
    assert not Cost.objects.exists()
    created = as_owner.post("/api/v1/costs/", {**body, "song": own.pk}, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["song"] == own.pk
    moved = as_owner.patch(f"/api/v1/costs/{created.json()['id']}/", {"song": foreign.pk})
    assert moved.status_code == 400
    assert Cost.objects.get().song == own
    listed = as_owner.get("/api/v1/costs/", {"song": own.pk}).json()
    assert [row["id"] for row in listed["results"]] == [created.json()["id"]]


def test_cost_form_tags_a_song_and_refuses_another_projects(owner: Any, project: Project) -> None:
    [own] = songs_of(project, "Anchor")
    [foreign] = songs_of(ProjectFactory.create(title="Other record"), "Elsewhere")
    client = signed_in(owner)
    form = {
        "vendor": "Mix House",
        "category": "mixing",
        "amount": "300.00",
        "currency": "EUR",
        "date": "2026-11-01",
        "status": "committed",
    }
    refused = client.post(f"/projects/{project.pk}/costs/", {**form, "song": foreign.pk})
    assert refused.status_code == 400
    assert "Select a valid choice" in refused.content.decode()
    assert not Cost.objects.exists()
    assert (
        client.post(f"/projects/{project.pk}/costs/", {**form, "song": own.pk}).status_code == 302
    )
    assert Cost.objects.get().song == own
    listed = client.get(f"/projects/{project.pk}/costs/", {"song": own.pk}).content.decode()
    assert "Mix House" in listed and ">Anchor</td>" in listed
    assert (
        "Mix House"
        not in client.get(f"/projects/{project.pk}/costs/", {"song": "none"})
        .content.decode()
        .split("<tbody>")[-1]
    )


def _fill(owner: Any, project: Project, room: Room, songs: int) -> None:
    made = songs_of(project, *[f"Song {n:02d}" for n in range(songs)])
    for day in range(3):
        session = day_session(owner, project, room, day, f"Day {day}")
        for song in made[day::3]:
            session_services.take_create(session=session, song=song)
        pay(session, project, f"Player {day}", "120")
    for song in made:
        cost(project, "Mix House", "80.00", song=song, paid=song.pk % 2 == 0)


@pytest.mark.parametrize("songs", [1, 50])
def test_song_costs_in_fixed_queries(
    owner: Any,
    project: Project,
    room: Room,
    budget: Budget,
    songs: int,
    django_assert_num_queries: Any,
) -> None:
    _fill(owner, project, room, songs)
    api = APIClient()
    api.force_authenticate(owner)
    client = signed_in(owner)
    # The budget (scoped), then songs, costs, sessions, takes, planned songs, bookings, pay.
    with django_assert_num_queries(8):
        body = api.get(f"/api/v1/budgets/{budget.pk}/song-costs/").json()
    assert len(body["rows"]) == songs
    assert body["total"]["costs_committed"] != "" and body["currency"] == "EUR"
    # The session and user, the layout's own read, then the same reads.
    with django_assert_num_queries(11):
        response = client.get(f"/budgets/{budget.pk}/songs/")
    assert response.status_code == 200
    assert "Song 00" in response.content.decode()


def test_song_costs_api_and_page(
    as_owner: APIClient, owner: Any, outsider: Any, project: Project, room: Room, budget: Budget
) -> None:
    [anchor] = songs_of(project, "Anchor")
    cost(project, "Mix House", "300.00", song=anchor, paid=False)
    cost(project, "Rail", "20.00", song=None, paid=True)
    body = as_owner.get(f"/api/v1/budgets/{budget.pk}/song-costs/").json()
    assert body["rows"] == [
        {
            "song": anchor.pk,
            "title": "Anchor",
            "sessions": 0,
            "studio_time": "0.00",
            "pay": "0.00",
            "costs_committed": "300.00",
            "costs_actual": "0.00",
            "total": "300.00",
        }
    ]
    assert (body["unassigned"]["title"], body["unassigned"]["total"]) == (
        "Not assigned to a song",
        "20.00",
    )
    assert body["total"]["total"] == "320.00"
    page = signed_in(owner).get(f"/budgets/{budget.pk}/songs/").content.decode()
    assert "shared evenly by the songs recorded on it" in page
    assert "320.00" in page
    assert (
        f'href="/budgets/{budget.pk}/songs/"'
        in signed_in(owner).get(f"/budgets/{budget.pk}/").content.decode()
    )
    outside = APIClient()
    outside.force_authenticate(outsider)
    assert outside.get(f"/api/v1/budgets/{budget.pk}/song-costs/").status_code == 404
    assert signed_in(outsider).get(f"/budgets/{budget.pk}/songs/").status_code == 404
    # An engineer works on the songs but does not see money.
    engineer = UserFactory.create(username="engineer")
    MembershipFactory.create(project=project, user=engineer, role=Role.ENGINEER)
    assert signed_in(engineer).get(f"/budgets/{budget.pk}/songs/").status_code == 404


def test_each_songs_cost_so_far_shows_on_its_card_and_page_to_who_sees_money(
    owner: Any, project: Project, room: Room, budget: Budget
) -> None:
    anchor, buoy, calm = songs_of(project, "Anchor", "Buoy", "Calm")
    cost(project, "Mix House", "300.00", song=anchor, paid=False)
    session = day_session(owner, project, room, 0, "Tracking")
    session_services.take_create(session=session, song=buoy, number=1)
    pay(session, project, "Ada Reed", "150.00")  # the day's 400.00 and this, all Buoy's
    board = f"/projects/{project.pk}/songs/"
    link = f'<a href="/budgets/{budget.pk}/songs/">'

    page = signed_in(owner).get(board).content.decode()
    assert f"{link}300.00 EUR</a>" in page
    assert f"{link}550.00 EUR</a>" in page
    assert page.count("Cost so far") == 2  # Calm has cost nothing: no line at all
    song_page = signed_in(owner).get(f"{board}{buoy.pk}/").content.decode()
    assert "Cost so far" in song_page and f"{link}550.00 EUR</a>" in song_page
    assert "Cost so far" not in signed_in(owner).get(f"{board}{calm.pk}/").content.decode()

    # An engineer and an artist work on the songs but do not see money: no cost, anywhere.
    for role in (Role.ENGINEER, Role.ARTIST):
        member = UserFactory.create(username=f"member-{role}")
        MembershipFactory.create(project=project, user=member, role=role)
        client = signed_in(member)
        for url in (board, f"{board}{buoy.pk}/", f"{board}{anchor.pk}/"):
            response = client.get(url)
            assert response.status_code == 200
            html = response.content.decode()
            assert "Cost so far" not in html and "550.00" not in html and "300.00" not in html
