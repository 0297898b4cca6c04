"""factory_boy factories for every model; invented names only."""

from decimal import Decimal
from typing import Any

import factory
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import User

from projects.models import Membership, Person, PersonCard, Project, Role
from studio.models import Gear, Room, Studio

PASSWORD = "pw-for-tests-1"


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def second_factor(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        """Staff have an authenticator app: the admin lets in no one without a second factor
        (projects.accounts)."""
        if create and obj.is_staff and not Authenticator.objects.filter(user=obj).exists():
            TOTP.activate(obj, generate_totp_secret())


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


CARD_DETAILS = ("email", "phone", "instruments", "notes")


class PersonFactory(factory.django.DjangoModelFactory[Person]):
    """A person; ``projects=[...]`` puts them on those projects, each with a card holding the
    details given here (``email``, ``phone``, ``instruments``, ``notes``)."""

    class Meta:
        model = Person
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Player {n}")
    email = factory.LazyAttribute(lambda p: f"{p.name.lower().replace(' ', '.')}@example.com")
    instruments = "bass"

    @classmethod
    def _create(cls, model_class: type[Person], *args: Any, **kwargs: Any) -> Person:
        # The details are the cards' (studio.models.PersonCard), not the person's.
        details = {name: kwargs.pop(name) for name in CARD_DETAILS if name in kwargs}
        person = super()._create(model_class, *args, **kwargs)
        person._card_details = details
        return person

    @classmethod
    def _build(cls, model_class: type[Person], *args: Any, **kwargs: Any) -> Person:
        for name in CARD_DETAILS:
            kwargs.pop(name, None)
        return super()._build(model_class, *args, **kwargs)

    @factory.post_generation
    def projects(obj: Person, create: bool, extracted: Any, **kwargs: Any) -> None:  # noqa: N805
        if create and extracted:
            details = getattr(obj, "_card_details", {})
            for project in extracted:
                PersonCard.objects.create(person=obj, project=project, **details)


class PersonCardFactory(factory.django.DjangoModelFactory[PersonCard]):
    class Meta:
        model = PersonCard

    person = factory.SubFactory(PersonFactory)
    project = factory.SubFactory(ProjectFactory)
    email = factory.LazyAttribute(
        lambda c: f"{c.person.name.lower().replace(' ', '.')}@example.com"
    )
    instruments = "bass"


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
