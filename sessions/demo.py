"""The sessions part of `manage.py demo`: a tracking session with players, takes, a gear check.

Found again by its title, so a second run adds nothing. Every name is invented.
"""

from decimal import Decimal
from typing import Any

from projects.models import Person
from sessions import services
from sessions.models import RateRule, Session
from songs.models import Part, Song
from studio.models import Booking

TITLE = "Basic tracking, day 1"
PLAYERS = [
    # name, role, instrument, doubles, hours
    ("Juniper Ashgrove", "musician", "double bass", ["electric bass"], "8"),
    ("Tobiah Quell", "musician", "drums", [], "8"),
    ("Marisol Dunmore", "leader", "violin", ["viola"], "4"),
]
# song, takes, the keeper's number, the part recorded (a keeper marks it recorded on the sheet)
TAKES = [("Low Tide", 4, 3, "Drums"), ("Harbour Lights", 3, 2, "Bass")]


def load(*, by: Any) -> None:
    booking = Booking.objects.filter(title=TITLE).select_related("project", "room").first()
    if booking is None or Session.objects.filter(booking=booking).exists():
        return
    session = services.session_create(
        project=booking.project,
        booking=booking,
        title="Tracking: rhythm section and strings",
        notes="Live to tape, strings overdubbed after dinner.",
        songs=list(Song.objects.filter(project=booking.project, title__in=[t[0] for t in TAKES])),
    )
    hourly = next(
        rule
        for rule in services.rate_rule_presets_ensure().values()
        if (rule.kind, rule.currency) == ("hourly", "EUR")
    )
    # The production is in euros: its string leader is paid by a day rate of its own.
    leader_rate, _ = RateRule.objects.get_or_create(
        project=booking.project,
        name="String leader, day rate",
        defaults={
            "kind": "day",
            "currency": booking.project.currency,
            "params": {"rate": "520.00", "day_hours": "10"},
            "source": "Agreed with the player.",
            "verified": True,
        },
    )
    for name, role, instrument, doubles, hours in PLAYERS:
        person = Person.objects.get(name=name)
        services.engagement_save(
            session=session,
            person=person,
            rate_rule=leader_rate if role == "leader" else hourly,
            role=role,
            hours=Decimal(hours),
            instrument=instrument,
            doubles=doubles,
        )
    for song, count, keeper, part_name in TAKES:
        part = Part.objects.filter(project=booking.project, name=part_name).first()
        for number in range(1, count + 1):
            services.take_create(
                session=session,
                song_name=song,
                part=part,
                by=by,
                keeper=number == keeper,
                rating=3 + (number == keeper),
                notes="Keeper: tight groove." if number == keeper else "",
            )
    gear = booking.room.gear.order_by("name")
    for item in gear:
        faulty = item.name == "Ribbon mic pair"
        services.gear_check_record(
            session=session,
            gear=item,
            result="fault" if faulty else "ok",
            note="Right channel crackles." if faulty else "",
        )
    first = session.engagements.order_by("pk").first()
    if first is not None:
        services.payment_approve(payment=first.payment, by=by)
