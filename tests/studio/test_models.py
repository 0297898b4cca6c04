"""The database refuses what must never happen, whatever path the write takes."""

import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core.money import round_money
from projects.models import Membership, Project, Role
from studio.models import Studio
from tests.clock import UTC, upcoming
from tests.factories import (
    GearFactory,
    MembershipFactory,
    ProjectFactory,
    RoomFactory,
    StudioFactory,
)

pytestmark = pytest.mark.django_db


def refused(write: Callable[[], object]) -> bool:
    try:
        with transaction.atomic():
            write()
    except IntegrityError:
        return True
    return False


def test_negative_rates_are_refused_by_the_database() -> None:
    room = RoomFactory.create()
    assert refused(lambda: type(room).objects.filter(pk=room.pk).update(hourly_rate=-1))
    gear = GearFactory.create()
    assert refused(lambda: type(gear).objects.filter(pk=gear.pk).update(day_rate=Decimal("-0.01")))


def test_room_hours_are_sane_in_the_database() -> None:
    room = RoomFactory.create()
    assert refused(lambda: type(room).objects.filter(pk=room.pk).update(half_day_hours=12))
    assert refused(lambda: type(room).objects.filter(pk=room.pk).update(overtime_multiplier=0))


def test_membership_is_unique_per_user_and_role_known() -> None:
    membership = MembershipFactory.create()
    assert refused(
        lambda: Membership.objects.create(
            project=membership.project, user=membership.user, role=Role.VIEWER
        )
    )
    assert refused(lambda: Membership.objects.filter(pk=membership.pk).update(role="owner"))


def test_time_zone_shape_and_validation() -> None:
    studio = StudioFactory.create()
    assert refused(lambda: Studio.objects.filter(pk=studio.pk).update(time_zone="no zone; at all"))
    bad = Studio(name="X", time_zone="Europe/Atlantis")
    with pytest.raises(ValidationError) as error:
        bad.full_clean()
    assert "time_zone" in error.value.message_dict
    assert str(StudioFactory.create(time_zone="Pacific/Chatham").zone) == "Pacific/Chatham"


def test_project_dates_and_currency_in_the_database() -> None:
    project = ProjectFactory.create()
    assert refused(lambda: Project.objects.filter(pk=project.pk).update(currency="eur"))
    assert refused(lambda: ProjectFactory.create(start_date="2026-05-02", due_date="2026-05-01"))


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("2.345", "EUR", "2.35"),
        ("2.344", "EUR", "2.34"),
        ("-2.345", "EUR", "-2.35"),
        ("1234.5", "JPY", "1235"),
        ("0.005", "USD", "0.01"),
        ("10", "GBP", "10.00"),
    ],
)
def test_round_money_half_up(amount: str, currency: str, expected: str) -> None:
    assert str(round_money(Decimal(amount), currency)) == expected


@pytest.mark.django_db
@pytest.mark.services
def test_postgres_refuses_overlapping_confirmed_bookings() -> None:
    """The exclusion constraints behind the service's locks (migration 0003)."""
    from django.db import connection

    from studio.models import Booking
    from tests.factories import PersonFactory

    assert connection.vendor == "postgresql", "the services lane runs on PostgreSQL"
    room = RoomFactory.create()
    project = ProjectFactory.create()
    engineer = PersonFactory.create()
    start = upcoming(days=30, hour=10, zone=UTC)
    hours = datetime.timedelta(hours=1)

    def confirmed(**fields: object) -> Booking:
        values: dict[str, object] = {
            "room": room,
            "project": project,
            "start": start,
            "end": start + 4 * hours,
            "status": "confirmed",
            "quoted_amount": Decimal(1),
            **fields,
        }
        return Booking.objects.create(**values)

    confirmed(engineer=engineer)
    assert refused(lambda: confirmed(start=start + 3 * hours, end=start + 5 * hours))
    other_room = RoomFactory.create(studio=room.studio)
    assert refused(lambda: confirmed(room=other_room, engineer=engineer))
    # Holds may overlap; back-to-back confirmed bookings may touch.
    confirmed(status="hold_1", quoted_amount=None)
    confirmed(start=start + 4 * hours, end=start + 6 * hours)
