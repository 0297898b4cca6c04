"""Forms of the session sheet: they check what a person typed; the services decide the rest."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from core.validators import TextGuardFormMixin
from projects.models import Person
from sessions.models import Engagement, GearCheck, Payment, RateRule, Session
from songs.models import Part, Song
from studio.models import Gear


def _items(raw: str) -> list[str]:
    """ "flute, piccolo" -> ["flute", "piccolo"]: lists are typed as one line of commas."""
    return [part.strip() for part in raw.split(",") if part.strip()]


def show_refusal(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's refusal beside the field it names, the rest above the form."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class EngagementForm(TextGuardFormMixin, forms.Form):
    person = forms.ModelChoiceField(queryset=Person.objects.none(), label="Player")
    role = forms.ChoiceField(choices=Engagement.Role.choices, initial=Engagement.Role.MUSICIAN)
    instrument = forms.CharField(max_length=100, required=False)
    doubles = forms.CharField(
        max_length=500, required=False, help_text="Extra instruments, separated by commas."
    )
    hours = forms.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal(0), max_value=Decimal(24)
    )
    cartage = forms.CharField(
        max_length=500, required=False, help_text="Instruments carted, separated by commas."
    )
    rate_rule = forms.ModelChoiceField(queryset=RateRule.objects.none(), label="Rate rule")

    def __init__(self, *args: Any, session: Session, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.filter(  # type: ignore[attr-defined]
            cards__project=session.project_id
        ).order_by("name")
        self.fields["rate_rule"].queryset = RateRule.objects.filter(  # type: ignore[attr-defined]
            Q(project__isnull=True) | Q(project=session.project_id)
        ).order_by("project", "name")
        self.fields["hours"].widget.attrs.update({"step": "0.25", "inputmode": "decimal"})

    @classmethod
    def initial_from(cls, engagement: Engagement) -> dict[str, Any]:
        return {
            "person": engagement.person_id,
            "role": engagement.role,
            "instrument": engagement.instrument,
            "doubles": ", ".join(engagement.doubles),
            "hours": engagement.hours.normalize(),
            "cartage": ", ".join(engagement.cartage),
            "rate_rule": engagement.rate_rule_id,
        }

    def work(self) -> dict[str, Any]:
        """The cleaned data as the engagement services take it."""
        data = self.cleaned_data
        return {
            "person": data["person"],
            "role": data["role"],
            "instrument": data["instrument"].strip(),
            "doubles": _items(data["doubles"]),
            "hours": data["hours"],
            "cartage": _items(data["cartage"]),
            "rate_rule": data["rate_rule"],
        }


class TakeForm(TextGuardFormMixin, forms.Form):
    """A take of a song picked from the project's board, or of a new song named here (the
    take service creates it on the board), with the part of the tracking sheet it recorded."""

    song = forms.TypedChoiceField(coerce=int, empty_value=None, required=False)
    song_name = forms.CharField(max_length=200, required=False, label="New song")
    part = forms.TypedChoiceField(coerce=int, empty_value=None, required=False)
    number = forms.IntegerField(
        min_value=1,
        max_value=2_147_483_647,
        required=False,
        label="Take",
        help_text="Left empty: the next take of that song.",
    )
    rating = forms.TypedChoiceField(
        choices=[("", "—"), *[(n, "★" * n or "0") for n in range(6)]],
        coerce=int,
        empty_value=None,
        required=False,
    )
    keeper = forms.BooleanField(required=False)
    notes = forms.CharField(max_length=2000, required=False)

    def __init__(
        self,
        *args: Any,
        songs: Sequence[Song] = (),
        parts: Sequence[Part] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.songs = {song.pk: song for song in songs}
        self.parts = {part.pk: part for part in parts}
        song_field = cast(forms.TypedChoiceField, self.fields["song"])
        song_field.choices = [("", "New song (name it)"), *[(s.pk, s.title) for s in songs]]
        part_field = cast(forms.TypedChoiceField, self.fields["part"])
        part_field.choices = [("", "—"), *[(p.pk, p.name) for p in parts]]
        self.fields["song_name"].widget.attrs.update({"autocomplete": "off"})
        self.fields["number"].widget.attrs.update({"inputmode": "numeric"})
        self.fields["notes"].widget.attrs.update({"autocomplete": "off"})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("song") is None and not data.get("song_name", "").strip():
            if "song_name" not in self.errors:
                self.add_error("song_name", "Pick a song or name a new one.")
        return data

    def take_fields(self) -> dict[str, Any]:
        """The cleaned data as take_create takes it. A name typed under "New song" wins over
        the select (which keeps showing the last take's song): typing a name means that song."""
        data = self.cleaned_data
        name = data["song_name"].strip()
        picked = self.songs.get(data["song"]) if data["song"] is not None else None
        return {
            "song": None if name else picked,
            "song_name": name,
            "part": self.parts.get(data["part"]) if data["part"] is not None else None,
            "number": data["number"],
            "rating": data["rating"],
            "keeper": data["keeper"],
            "notes": data["notes"].strip(),
        }


class SessionSongsForm(forms.Form):
    """The songs planned for a session: checkboxes of the project's songs."""

    songs = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple, label="Songs planned"
    )

    def __init__(self, *args: Any, songs: Sequence[Song] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.by_pk = {song.pk: song for song in songs}
        field = cast(forms.TypedMultipleChoiceField, self.fields["songs"])
        field.choices = [(song.pk, song.title) for song in songs]

    def picked(self) -> list[Song]:
        return [self.by_pk[pk] for pk in self.cleaned_data["songs"]]


class GearCheckForm(TextGuardFormMixin, forms.Form):
    """The room's gear as a checklist: each item OK or fault, with a note."""

    def __init__(
        self, *args: Any, gear: Sequence[Gear], checks: Sequence[GearCheck], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        done = {check.gear_id: check for check in checks}
        self.items: list[tuple[Gear, forms.BoundField, forms.BoundField]] = []
        for item in gear:
            check = done.get(item.pk)
            self.fields[f"result_{item.pk}"] = forms.ChoiceField(
                choices=GearCheck.Result.choices,
                initial=check.result if check else GearCheck.Result.OK,
                widget=forms.RadioSelect,
                label=item.name,
            )
            self.fields[f"note_{item.pk}"] = forms.CharField(
                max_length=2000,
                required=False,
                initial=check.note if check else "",
                label=f"Note on {item.name}",
            )
        for item in gear:
            self.items.append((item, self[f"result_{item.pk}"], self[f"note_{item.pk}"]))

    def results(self) -> list[tuple[Gear, str, str]]:
        return [
            (
                item,
                self.cleaned_data[f"result_{item.pk}"],
                self.cleaned_data[f"note_{item.pk}"].strip(),
            )
            for item, _, _ in self.items
        ]

    def show_refusal(self, error: ValidationError) -> None:
        """The service names items by id: the refusal goes beside that item's note."""
        for key, messages in error.message_dict.items():
            name = f"note_{key}"
            self.add_error(name if name in self.fields else None, messages)


class PayForm(TextGuardFormMixin, forms.Form):
    paid_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Paid on")
    method = forms.ChoiceField(choices=Payment.Method.choices)
    reference = forms.CharField(max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].initial = timezone.localdate()


class SessionStatusForm(forms.Form):
    status = forms.ChoiceField(choices=Session.Status.choices)
