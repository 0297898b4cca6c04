"""Copy each person's details onto a card for each of their projects.

Until now a person's email, phone, instruments and notes were one row shared by every
production the person was on. Each production now keeps its own card; every production the
person was on starts with the details as they stood, so nobody loses what they see today.
"""

from typing import Any

from django.db import migrations

DETAILS = ("email", "phone", "instruments", "notes")


def copy_details_to_cards(apps: Any, schema_editor: Any) -> None:
    Person = apps.get_model("studio", "Person")
    PersonCard = apps.get_model("studio", "PersonCard")
    links = Person.projects.through.objects.select_related("person").order_by("pk")
    PersonCard.objects.bulk_create(
        [
            PersonCard(
                person_id=link.person_id,
                project_id=link.project_id,
                **{name: getattr(link.person, name) for name in DETAILS},
            )
            for link in links.iterator(chunk_size=2000)
        ],
        batch_size=2000,
        ignore_conflicts=True,
    )


def copy_cards_back(apps: Any, schema_editor: Any) -> None:
    """Backwards: the links come back from the cards; the person's details from their first
    card that has any (a shared row can hold one production's details only)."""
    Person = apps.get_model("studio", "Person")
    PersonCard = apps.get_model("studio", "PersonCard")
    Link = Person.projects.through
    Link.objects.bulk_create(
        [
            Link(person_id=card.person_id, project_id=card.project_id)
            for card in PersonCard.objects.order_by("pk").iterator(chunk_size=2000)
        ],
        batch_size=2000,
        ignore_conflicts=True,
    )
    done: set[int] = set()
    for card in PersonCard.objects.order_by("person_id", "pk").iterator(chunk_size=2000):
        if card.person_id in done or not any(getattr(card, name) for name in DETAILS):
            continue
        Person.objects.filter(pk=card.person_id).update(
            **{name: getattr(card, name) for name in DETAILS}
        )
        done.add(card.person_id)


class Migration(migrations.Migration):
    dependencies = [("studio", "0004_person_cards")]

    operations = [migrations.RunPython(copy_details_to_cards, copy_cards_back)]
