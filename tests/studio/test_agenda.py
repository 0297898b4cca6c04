"""Today (the dashboard): each section's rules (what shows, what does not), confirm and release
from it with and without htmx, and the whole page's query count with 1 and with 50 of things."""

import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from budgets.models import Invoice, InvoiceLine
from projects.agenda import agenda_sections
from projects.models import Project, Role
from projects.services.meetings import meeting_cancel, meeting_create
from releases.models import RenderJob
from sessions.models import Engagement, Payment, RateRule, Session
from songs.models import Song, SongStage
from studio import services
from studio.agenda import time_left_words
from studio.models import Booking, Room
from tests.factories import (
    MembershipFactory,
    PersonFactory,
    ProjectFactory,
    RoomFactory,
    StudioFactory,
    UserFactory,
)
from tests.releases.factories import ReleaseFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")


def browser(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def room(owner: Any, project: Project) -> Room:
    studio = StudioFactory.create(name="Quay Studio", time_zone="Europe/Berlin", managers=[owner])
    project.studios.add(studio)
    return RoomFactory.create(studio=studio, name="A")


@pytest.fixture
def other(owner: Any) -> Project:
    """Someone else's production, in the same studio: never on the owner's Today."""
    return ProjectFactory.create(title="Secret Sessions")


def hold(
    owner: Any, room: Room, project: Project, *, days: float, lapses_in: float, **kw: Any
) -> Booking:
    start = timezone.now() + datetime.timedelta(days=days)
    [booking] = services.booking_create(
        by=owner,
        room=room,
        project=project,
        start=start,
        end=start + datetime.timedelta(hours=4),
        expires_at=timezone.now() + datetime.timedelta(hours=lapses_in),
        **kw,
    )
    return booking


def invoice_for(
    project: Project, *, number: str, due: datetime.date, status: str, amount: Decimal
) -> Invoice:
    """An invoice in ``status`` (a draft with one 19 % line, then moved there directly: the
    issuing service's rules are budgets' tests' business, not Today's)."""
    invoice = Invoice.objects.create(
        project=project,
        currency="EUR",
        issuer_key=f"t-{project.pk}",
        issuer_name="Harbour Lane",
        issuer_address="Harbour Lane 12",
        recipient_name="Label",
        recipient_address="Quay 4",
    )
    InvoiceLine.objects.create(
        invoice=invoice,
        description="Production",
        quantity=Decimal(1),
        unit_price=amount,
        tax_rate=Decimal(19),
    )
    issued = Invoice.objects.filter(pk=invoice.pk)
    # Through issued, as PostgreSQL's trigger on invoices allows no other way to paid.
    issued.update(status=Invoice.Status.ISSUED, number=number, due_date=due)
    if status == Invoice.Status.PAID:
        issued.update(status=status, paid_on=due)
    return invoice


def today_of(user: Any) -> str:
    return browser(user).get("/").content.decode()


# --- sections' rules -----


def test_bookings_from_today_in_the_studio_clock(
    owner: Any, outsider: Any, room: Room, project: Project
) -> None:
    local_now = timezone.now().astimezone(BERLIN)
    # Earlier today (already over): still today's, since Today starts at midnight, not now.
    early = datetime.datetime.combine(local_now.date(), datetime.time(0, 30), tzinfo=BERLIN)
    if early < timezone.now() - datetime.timedelta(hours=1):
        Booking.objects.create(
            room=room,
            project=project,
            title="Morning take",
            start=early,
            end=early + datetime.timedelta(minutes=30),
            status=Booking.Status.CONFIRMED,
            quoted_amount=Decimal(100),
        )
    tomorrow = datetime.datetime.combine(
        local_now.date() + datetime.timedelta(days=1), datetime.time(10), tzinfo=BERLIN
    )
    services.booking_create(
        by=owner,
        room=room,
        project=project,
        start=tomorrow,
        end=tomorrow + datetime.timedelta(hours=10),
        status="confirmed",
        title="Tracking day",
    )
    far = tomorrow + datetime.timedelta(days=8)
    services.booking_create(
        by=owner,
        room=room,
        project=project,
        start=far,
        end=far + datetime.timedelta(hours=2),
        title="Too far",
    )
    page = today_of(owner)
    assert "Tracking day" in page and "10:00–20:00" in page
    assert "Too far" not in page
    if early < timezone.now() - datetime.timedelta(hours=1):
        assert "Morning take" in page
    assert "Tracking day" not in today_of(outsider)


def test_meetings_mine_and_my_projects_only(
    owner: Any, collaborator: Any, outsider: Any, project: Project, other: Project
) -> None:
    start = timezone.now() + datetime.timedelta(days=1)
    common: dict[str, Any] = {
        "start": start,
        "end": start + datetime.timedelta(hours=1),
        "time_zone": "Europe/Berlin",
        "place": "Office",
    }
    meeting_create(project=project, title="Pre-production", by=owner, **common)
    gone = meeting_create(project=project, title="Old call", by=owner, **common)
    meeting_cancel(meeting=gone)
    meeting_create(project=other, title="Their meeting", by=owner, **common)
    # The outsider's person is invited to a meeting of a project they are not a member of.
    guest = PersonFactory.create(name="Guest Player", user=outsider, projects=[other])
    meeting_create(
        project=other, title="Listening with a guest", people=[guest], by=owner, **common
    )
    later = start + datetime.timedelta(days=9)
    meeting_create(
        project=project,
        title="Next month",
        by=owner,
        **{**common, "start": later, "end": later + datetime.timedelta(hours=1)},
    )
    page = today_of(owner)
    assert "Pre-production" in page and "Their meeting" not in page and "Next month" not in page
    assert "<del>Old call</del>" in page  # cancelled this week: shown struck
    assert "Pre-production" in today_of(collaborator)
    theirs = today_of(outsider)
    assert (
        "Listening with a guest" in theirs
        and "Pre-production" not in theirs
        and "Their meeting" not in theirs
    )


def test_song_deadlines(owner: Any, outsider: Any, project: Project, other: Project) -> None:
    today = timezone.now().astimezone(BERLIN).date()
    Song.objects.create(
        project=project, title="Late Song", due_date=today - datetime.timedelta(days=2)
    )
    Song.objects.create(
        project=project, title="Due Friday", due_date=today + datetime.timedelta(days=5)
    )
    Song.objects.create(
        project=project, title="Due Later", due_date=today + datetime.timedelta(days=20)
    )
    Song.objects.create(
        project=project, title="Finished Song", due_date=today, stage=SongStage.DONE
    )
    Song.objects.create(project=project, title="Undated Song")
    Song.objects.create(project=other, title="Their Song", due_date=today)
    page = today_of(owner)
    assert "Late Song" in page and "Due Friday" in page
    for absent in ("Due Later", "Finished Song", "Undated Song", "Their Song"):
        assert absent not in page, absent
    assert page.index("Late Song") < page.index("Due Friday")
    late = Song.objects.get(title="Late Song")
    assert f'href="/projects/{project.pk}/songs/{late.pk}/"' in page
    # The project's own name for a stage.
    project.song_stage_names = {"pre_production": "Writing"}
    project.save(update_fields=["song_stage_names"])
    assert "Low Tide · Writing" in today_of(owner)
    assert "Late Song" not in today_of(outsider)


def test_lapsing_holds_and_challenges(
    owner: Any, collaborator: Any, room: Room, project: Project, other: Project
) -> None:
    soon = hold(owner, room, project, days=5, lapses_in=20, title="Lapsing soon")
    hold(owner, room, project, days=6, lapses_in=100, title="Plenty of time")
    lapsed = hold(owner, room, project, days=7, lapses_in=1, title="Already lapsed")
    Booking.objects.filter(pk=lapsed.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    MembershipFactory.create(project=other, user=UserFactory.create(), role=Role.PRODUCER)
    hold(
        owner,
        RoomFactory.create(studio=room.studio),
        other,
        days=5,
        lapses_in=10,
        title="Their hold",
    )
    # A 2nd hold challenges a 1st hold of ours.
    first = hold(owner, room, project, days=9, lapses_in=150, title="Challenged first")
    [second] = services.booking_create(
        by=owner, room=room, project=project, start=first.start, end=first.end, title="The second"
    )
    services.booking_challenge(booking=second)
    page = today_of(owner)
    holds = page[page.index('id="agenda-holds"') :]
    holds = holds[: holds.index("</section>")]
    assert "Lapsing soon" in holds and "h " in holds  # time left
    for absent in ("Plenty of time", "Already lapsed", "Their hold", "Challenged first"):
        assert absent not in holds, absent
    challenges = page[page.index('id="agenda-challenges"') :]
    challenges = challenges[: challenges.index("</section>")]
    assert "Challenged first" in challenges and "Challenged by a 2nd hold" in challenges
    assert f"/today/holds/{soon.pk}/confirm/" in holds
    # The viewer sees the lapsing hold but no buttons, and no challenge waits on them.
    viewer = today_of(collaborator)
    assert "Lapsing soon" in viewer
    assert f"/today/holds/{soon.pk}/confirm/" not in viewer
    assert 'id="agenda-challenges"' not in viewer


def test_payments_invoices_and_failed_renders(
    owner: Any, collaborator: Any, room: Room, project: Project, other: Project
) -> None:
    today = timezone.now().astimezone(BERLIN).date()
    for target, suffix in ((project, "ours"), (other, "theirs")):
        session = Session.objects.create(
            project=target,
            room=room,
            title=f"Strings {suffix}",
            start=timezone.now() + datetime.timedelta(days=1),
            end=timezone.now() + datetime.timedelta(days=1, hours=3),
        )
        rule = RateRule.objects.create(name="Flat", kind="flat", currency="EUR", params={})
        person = PersonFactory.create(name=f"Cellist {suffix}", projects=[target])
        engagement = Engagement.objects.create(
            session=session, person=person, hours=Decimal(3), rate_rule=rule, currency="EUR"
        )
        Payment.objects.create(
            engagement=engagement,
            person=person,
            project=target,
            amount=Decimal("240.00"),
            currency="EUR",
        )
        for number, due, status in (
            (f"{suffix}-late", today - datetime.timedelta(days=3), Invoice.Status.ISSUED),
            (f"{suffix}-due", today + datetime.timedelta(days=3), Invoice.Status.ISSUED),
            (f"{suffix}-paid", today - datetime.timedelta(days=9), Invoice.Status.PAID),
        ):
            invoice_for(target, number=number, due=due, status=status, amount=Decimal(1000))
        release = ReleaseFactory.create(project=target, title=f"Single {suffix}")
        RenderJob.objects.create(release=release, status=RenderJob.Status.FAILED)
        old = RenderJob.objects.create(release=release, status=RenderJob.Status.FAILED)
        RenderJob.objects.filter(pk=old.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=20)
        )
        RenderJob.objects.create(release=release, status=RenderJob.Status.DONE)
    page = today_of(owner)
    assert "Strings ours" in page and "Strings theirs" not in page  # sessions this week
    assert "Cellist ours" in page and "Cellist theirs" not in page
    assert "ours-late" in page and "1190.00 EUR" in page and "3 days late" in page
    for absent in ("ours-due", "ours-paid", "theirs-late"):
        assert absent not in page, absent
    renders = page[page.index('id="agenda-failed-renders"') :]
    assert renders.count("Single ours") == 1 and "Single theirs" not in renders
    # The viewer sees no money, but sees the failed render of the release.
    viewer = today_of(collaborator)
    assert "Cellist ours" not in viewer and "ours-late" not in viewer
    assert "Single ours" in viewer


def test_time_left_words() -> None:
    assert time_left_words(datetime.timedelta(days=1, hours=3, minutes=5)) == "1 d 3 h"
    assert time_left_words(datetime.timedelta(hours=5, minutes=20)) == "5 h 20 min"
    assert time_left_words(datetime.timedelta(minutes=12)) == "12 min"


# --- confirm and release from Today -----


def test_confirm_asks_first_without_js_then_confirms(
    owner: Any, room: Room, project: Project
) -> None:
    booking = hold(owner, room, project, days=5, lapses_in=20, title="Lapsing soon")
    client = browser(owner)
    url = f"/today/holds/{booking.pk}/confirm/"
    asked = client.post(url, {"section": "holds"})
    assert asked.status_code == 200
    assert "Confirm the hold?" in asked.content.decode() and "rate card" in asked.content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.HOLD_1
    done = client.post(url, {"section": "holds", "answer": "yes"}, follow=True)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert "Confirmed Lapsing soon." in done.content.decode()


def test_release_with_htmx_swaps_the_section(owner: Any, room: Room, project: Project) -> None:
    booking = hold(owner, room, project, days=5, lapses_in=20, title="Lapsing soon")
    response = browser(owner).post(
        f"/today/holds/{booking.pk}/release/",
        {"section": "holds", "answer": "yes"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section class="agenda-section')
    assert 'id="agenda-holds"' in html and "No hold lapses in the next 48 hours." in html
    assert "Released the hold on Lapsing soon." in html
    booking.refresh_from_db()
    assert (booking.status, booking.ending) == (Booking.Status.CANCELLED, Booking.Ending.RELEASED)


def test_confirm_refused_shows_the_409_message(owner: Any, room: Room, project: Project) -> None:
    booking = hold(owner, room, project, days=5, lapses_in=20, title="Lapsing soon")
    # Another project books the same room outright at that time... as a 2nd hold cannot, the
    # clash is written directly, as a concurrent confirmation would leave it.
    blocker = Booking.objects.create(
        room=room,
        project=ProjectFactory.create(),
        title="Blocker",
        start=booking.start,
        end=booking.end,
        status=Booking.Status.CONFIRMED,
        quoted_amount=Decimal(100),
    )
    response = browser(owner).post(
        f"/today/holds/{booking.pk}/confirm/",
        {"section": "holds", "answer": "yes"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert 'role="alert"' in html and f"#{blocker.pk}" in html
    booking.refresh_from_db()
    assert booking.status == Booking.Status.HOLD_1
    plain = browser(owner).post(
        f"/today/holds/{booking.pk}/confirm/", {"answer": "yes"}, follow=True
    )
    assert f"#{blocker.pk}" in plain.content.decode()


def test_hold_actions_outsider_404_viewer_403(
    owner: Any, collaborator: Any, outsider: Any, room: Room, project: Project
) -> None:
    booking = hold(owner, room, project, days=5, lapses_in=20)
    url = f"/today/holds/{booking.pk}/confirm/"
    assert browser(outsider).post(url, {"answer": "yes"}).status_code == 404
    assert browser(collaborator).post(url, {"answer": "yes"}).status_code == 403
    assert (
        browser(owner).post(f"/today/holds/{booking.pk}/steal/", {"answer": "yes"}).status_code
        == 404
    )
    assert browser(owner).get(url).status_code == 405
    booking.refresh_from_db()
    assert booking.status == Booking.Status.HOLD_1


# --- the whole page's queries -----


def fill(owner: Any, room: Room, project: Project, n: int) -> None:
    """n of everything the sections read: songs due, bookings this week, lapsing holds,
    meetings with people, sessions, pending payments, overdue invoices, failed renders."""
    today = timezone.now().astimezone(BERLIN).date()
    people = [PersonFactory.create(projects=[project]) for _ in range(2)]
    rule = RateRule.objects.create(name="Flat", kind="flat", currency="EUR", params={})
    base = timezone.now() + datetime.timedelta(hours=2)
    for i in range(n):
        Song.objects.create(
            project=project, title=f"Song {i}", due_date=today + datetime.timedelta(days=i % 7)
        )
    for i in range(min(n, 10)):
        start = base + datetime.timedelta(hours=5 * i)
        Booking.objects.create(
            room=room,
            project=project,
            title=f"Day {i}",
            start=start,
            end=start + datetime.timedelta(hours=4),
            status=Booking.Status.CONFIRMED,
            quoted_amount=Decimal(100),
        )
        later = base + datetime.timedelta(days=3, hours=5 * i)
        Booking.objects.create(
            room=room,
            project=project,
            title=f"Hold {i}",
            start=later,
            end=later + datetime.timedelta(hours=4),
            status=Booking.Status.HOLD_1,
            expires_at=timezone.now() + datetime.timedelta(hours=10 + i),
        )
        meeting = meeting_create(
            project=project,
            title=f"Call {i}",
            start=start,
            end=start + datetime.timedelta(hours=1),
            time_zone="Europe/Berlin",
            link="https://meet.example.com/x",
            people=people,
            by=owner,
        )
        assert meeting.pk
        session = Session.objects.create(
            project=project,
            room=room,
            title=f"Session {i}",
            start=start,
            end=start + datetime.timedelta(hours=3),
        )
        engagement = Engagement.objects.create(
            session=session, person=people[0], hours=Decimal(3), rate_rule=rule, currency="EUR"
        )
        Payment.objects.create(
            engagement=engagement,
            person=people[0],
            project=project,
            amount=Decimal("100.00"),
            currency="EUR",
        )
        invoice_for(
            project,
            number=f"TS-{project.pk}-{i}",
            due=today - datetime.timedelta(days=1),
            status=Invoice.Status.ISSUED,
            amount=Decimal(10),
        )
        RenderJob.objects.create(
            release=ReleaseFactory.create(project=project), status=RenderJob.Status.FAILED
        )


# session, user; the agenda's zone; lapsing holds, challenges; studio days; sessions; meetings
# and their people; songs; payments; invoices and their lines; failed renders; the link of each
# studio day to its session and who may start one (2); then the projects and whether there is a
# studio (the menu's money check is cached). Other sections (notes waiting for an answer) are
# counted by what they read, below.
AGENDA_QUERIES = 18
SECTIONS_COUNTED = {
    "holds",
    "challenges",
    "bookings",
    "sessions",
    "meetings",
    "songs",
    "payments",
    "overdue-invoices",
    "failed-renders",
}


def test_agenda_queries_do_not_grow(owner: Any, room: Room, project: Project) -> None:
    fill(owner, room, project, 1)
    big = ProjectFactory.create(title="Big")
    MembershipFactory.create(project=big, user=owner, role=Role.PRODUCER)
    big.studios.add(room.studio)
    client = browser(owner)
    client.get("/")  # the menu's money check is cached a minute
    counts = []
    with CaptureQueriesContext(connection) as small:
        assert client.get("/").status_code == 200
    counts.append(len(small))
    fill(owner, RoomFactory.create(studio=room.studio), big, 50)
    with CaptureQueriesContext(connection) as large:
        page = client.get("/").content.decode()
    counts.append(len(large))
    assert "Song 49" in page and "Call 9" in page and "Hold 9" in page
    assert counts[0] == counts[1], counts
    # Sections registered by other parts of the house (notes waiting for an answer...) pin
    # their own reads; here they count for what they read, which must not grow either.
    now = timezone.now().astimezone(BERLIN)
    every = agenda_sections(user=owner, today=now.date(), now=now, keep_empty=True)
    others = {s.section.key for s in every}
    others -= SECTIONS_COUNTED
    with CaptureQueriesContext(connection) as theirs:
        agenda_sections(user=owner, today=now.date(), now=now, keys=others or {"-"})
    expected = AGENDA_QUERIES + len(theirs)
    assert counts[0] == expected, "\n".join(q["sql"][:120] for q in large.captured_queries)


def test_every_section_reads_in_fixed_queries(
    owner: Any, room: Room, project: Project, django_assert_max_num_queries: Any
) -> None:
    fill(owner, room, project, 3)
    now = timezone.now().astimezone(BERLIN)
    rendered = agenda_sections(user=owner, today=now.date(), now=now)
    keys = [r.section.key for r in rendered]
    for key in (
        "holds",
        "bookings",
        "meetings",
        "songs",
        "sessions",
        "payments",
        "overdue-invoices",
        "failed-renders",
    ):
        assert key in keys, key
    assert not any(r.is_empty for r in rendered)


def test_release_a_challenged_hold_swaps_the_challenges_section(
    owner: Any, room: Room, project: Project
) -> None:
    first = hold(owner, room, project, days=9, lapses_in=150, title="Challenged first")
    [second] = services.booking_create(
        by=owner, room=room, project=project, start=first.start, end=first.end, title="Second"
    )
    services.booking_challenge(booking=second)
    response = browser(owner).post(
        f"/today/holds/{first.pk}/release/",
        {"section": "challenges", "answer": "yes"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert 'id="agenda-challenges"' in html and "No 1st hold of yours is challenged." in html
    second.refresh_from_db()
    assert second.status == Booking.Status.HOLD_1  # the 2nd hold moved up
