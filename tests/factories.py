"""factory_boy factories for every model; invented names only."""

from decimal import Decimal
from typing import Any

import factory
from django.contrib.auth.models import User

from studio.models import Gear, Membership, Person, Project, Role, Room, Studio

PASSWORD = "pw-for-tests-1"


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password(PASSWORD)


class ProjectFactory(factory.django.DjangoModelFactory[Project]):
    class Meta:
        model = Project

    title = factory.Sequence(lambda n: f"Record {n}")
    artist = factory.Sequence(lambda n: f"The Band {n}")
    client = "Invented Records"
    currency = "EUR"


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    project = factory.SubFactory(ProjectFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.PRODUCER


class PersonFactory(factory.django.DjangoModelFactory[Person]):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Player {n}")
    email = factory.LazyAttribute(lambda p: f"{p.name.lower().replace(' ', '.')}@example.com")
    instruments = "bass"

    @factory.post_generation
    def projects(obj: Person, create: bool, extracted: Any, **kwargs: Any) -> None:  # noqa: N805
        if create and extracted:
            obj.projects.set(extracted)


class StudioFactory(factory.django.DjangoModelFactory[Studio]):
    class Meta:
        model = Studio
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Studio {n}")
    time_zone = "Europe/Berlin"
    currency = "EUR"

    @factory.post_generation
    def managers(obj: Studio, create: bool, extracted: Any, **kwargs: Any) -> None:  # noqa: N805
        if create and extracted:
            obj.managers.set(extracted)


class RoomFactory(factory.django.DjangoModelFactory[Room]):
    class Meta:
        model = Room

    studio = factory.SubFactory(StudioFactory)
    name = factory.Sequence(lambda n: f"Room {n}")
    hourly_rate = Decimal("80.00")
    half_day_rate = Decimal("350.00")
    day_rate = Decimal("650.00")


class GearFactory(factory.django.DjangoModelFactory[Gear]):
    class Meta:
        model = Gear

    studio = factory.SubFactory(StudioFactory)
    name = factory.Sequence(lambda n: f"Mic {n}")
    category = Gear.Category.MICROPHONE
    serial_number = factory.Sequence(lambda n: f"SN-{n:05d}")
    day_rate = Decimal("25.00")
