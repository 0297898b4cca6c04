"""Control characters never reach the database: every app's text fields refuse them, with the
field named and nothing saved (core.validators)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model
from rest_framework.test import APIClient

from budgets import services as budget_services
from budgets.models import Cost, InvoiceLine
from core.validators import (
    TextGuardFormMixin,
    no_control_characters,
    no_control_characters_multiline,
)
from projects.forms import ProjectForm
from projects.models import Person, Project
from releases.models import Credit, Release, Track
from sessions.models import Session
from studio.models import Booking
from tests.clock import upcoming
from tests.factories import PersonFactory, RoomFactory, StudioFactory
from tests.releases.factories import ReleaseFactory, TrackFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
START = upcoming(days=7, hour=10, zone=BERLIN)

Payload = Callable[[Project], dict[str, Any]]


def _booking(project: Project) -> dict[str, Any]:
    owner = project.memberships.get(role="producer").user
    studio = StudioFactory.create(managers=[owner])
    project.studios.add(studio)
    room = RoomFactory.create(studio=studio)
    end = START + datetime.timedelta(hours=4)
    return {
        "room": room.pk,
        "project": project.pk,
        "start": START.isoformat(),
        "end": end.isoformat(),
        "title": "Overdubs",
    }


def _invoice_line(project: Project) -> dict[str, Any]:
    invoice = budget_services.invoice_create(
        project=project,
        issuer_name="Harbour Lane Productions",
        issuer_address="1 Quay Street\nBristol",
        recipient_name="Driftwood Records",
        recipient_address="2 Dock Road\nLeeds",
    )
    return {"invoice": invoice.pk, "description": "Lockout day", "quantity": "1", "unit_price": "1"}


def _track(project: Project) -> dict[str, Any]:
    release = ReleaseFactory.create(project=project)
    return {"release": release.pk, "position": 1, "title": "Low Tide"}


def _credit(project: Project) -> dict[str, Any]:
    release = ReleaseFactory.create(project=project)
    person = PersonFactory.create(name="Ezra Winds", projects=[project])
    return {"release": release.pk, "person": person.pk, "role": "Musician", "instrument": "Guitar"}


# (endpoint, field, a valid body for the project, the model the endpoint writes)
CASES: list[tuple[str, str, Payload, type[Model]]] = [
    ("people", "name", lambda p: {"name": "Ezra Winds", "project_ids": [p.pk]}, Person),
    (
        "projects",
        "title",
        lambda p: {"title": "Second Album", "artist": "W", "currency": "EUR"},
        Project,
    ),
    ("bookings", "title", _booking, Booking),
    (
        "sessions",
        "notes",
        lambda p: {
            "project": p.pk,
            "title": "Horns",
            "start": START.isoformat(),
            "end": (START + datetime.timedelta(hours=3)).isoformat(),
            "notes": "Bring mutes.\nTwo takes each.",
        },
        Session,
    ),
    (
        "costs",
        "vendor",
        lambda p: {
            "project": p.pk,
            "category": "travel",
            "vendor": "Rail",
            "date": "2026-11-20",
            "amount": "120.00",
            "currency": "EUR",
        },
        Cost,
    ),
    ("invoice-lines", "description", _invoice_line, InvoiceLine),
    (
        "releases",
        "title",
        lambda p: {"project": p.pk, "type": "single", "title": "Low Tide", "display_artist": "W"},
        Release,
    ),
    ("tracks", "title", _track, Track),
    ("credits", "instrument", _credit, Credit),
]

# Inside the text: DRF trims whitespace at the ends, and Python counts some controls as such.
POISONS = ["Bell\x07 ring", "Esc\x1b[31m red", "Del\x7f", "Next\x85line", "Nul\x00byte"]


@pytest.mark.parametrize(("endpoint", "field", "payload", "model"), CASES)
@pytest.mark.parametrize("poison", POISONS)
def test_api_refuses_control_characters(
    as_owner: APIClient,
    project: Project,
    endpoint: str,
    field: str,
    payload: Payload,
    model: type[Model],
    poison: str,
) -> None:
    body = payload(project)
    before = model._default_manager.count()
    response = as_owner.post(f"/api/v1/{endpoint}/", {**body, field: poison}, format="json")
    assert response.status_code == 400, response.json()
    assert list(response.json()) == [field]
    assert any("control characters" in m for m in response.json()[field])
    assert model._default_manager.count() == before
    # The same body without the control character is fine: the refusal was for it alone.
    assert as_owner.post(f"/api/v1/{endpoint}/", body, format="json").status_code == 201


def test_line_breaks_only_in_multi_line_text(as_owner: APIClient, project: Project) -> None:
    refused = as_owner.post(
        "/api/v1/releases/",
        {"project": project.pk, "type": "single", "title": "Low\nTide", "display_artist": "W"},
        format="json",
    )
    assert refused.status_code == 400
    assert "title" in refused.json()
    notes = "Horns at ten.\r\n\tMutes please."
    kept = as_owner.patch(f"/api/v1/projects/{project.pk}/", {"notes": notes}, format="json")
    assert kept.status_code == 200, kept.json()
    assert Project.objects.get(pk=project.pk).notes == notes


def test_full_clean_refuses_them(project: Project) -> None:
    track = TrackFactory.create(release=ReleaseFactory.create(project=project))
    track.title = "Tab\there"
    with pytest.raises(ValidationError) as refused:
        track.full_clean()
    assert list(refused.value.message_dict) == ["title"]


def test_page_forms_refuse_them(owner: Any, project: Project) -> None:
    form = ProjectForm(
        data={"title": "Second\x1bAlbum", "currency": "EUR", "status": "planning"}, user=owner
    )
    assert not form.is_valid()
    assert "control characters" in form.errors["title"][0]

    class Note(TextGuardFormMixin, forms.Form):
        subject = forms.CharField()
        body = forms.CharField(widget=forms.Textarea)

    note = Note(data={"subject": "Hello\tthere", "body": "Line one\nline two\x07"})
    assert not note.is_valid()
    assert set(note.errors) == {"subject", "body"}
    assert Note(data={"subject": "Hello", "body": "Line one\n\tline two"}).is_valid()


def test_the_validator_names_what_it_found() -> None:
    with pytest.raises(ValidationError) as refused:
        no_control_characters("a\x07b\x85c\x07")
    assert refused.value.messages == [
        "Remove the control characters from this text (such as U+0007, U+0085)."
    ]
    no_control_characters_multiline("one\r\n\ttwo")
    with pytest.raises(ValidationError):
        no_control_characters("one\ntwo")
