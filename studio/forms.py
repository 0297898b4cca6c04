import re
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model

from studio.models import (
    Gear,
    PartStatus,
    Person,
    Project,
    Role,
    Room,
    Song,
    SongStage,
    Studio,
    validate_cancellation_tiers,
)
from studio.models.stages import STAGE_NAME_MAX
from studio.permissions import Capability, coworkers_of, projects_with
from studio.selectors import studio_directory
from studio.services.projects import unknown_coworker_message
from studio.services.studios import ROOM_FIELDS
from studio.validators import TextGuardFormMixin


class ProjectForm(TextGuardFormMixin, forms.ModelForm):
    class Meta:
        model = Project
        fields = [
            "title",
            "artist",
            "client",
            "currency",
            "status",
            "start_date",
            "due_date",
            "studios",
            "notes",
        ]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "due_date": forms.DateInput(attrs={"type": "date"}),
            "studios": forms.CheckboxSelectMultiple,
            "notes": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The install's studios are a directory: any signed-in user may pick any of them.
        studios = self.fields["studios"]
        studios.queryset = studio_directory()  # type: ignore[attr-defined]
        studios.label_from_instance = _studio_label  # type: ignore[attr-defined]
        studios.help_text = "Every studio of this install, with its city and time zone."

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, due = data.get("start_date"), data.get("due_date")
        if start and due and due < start:
            self.add_error("due_date", "The due date is before the start.")
        return data


def _studio_label(studio: Studio) -> str:
    """ "Sunset Sound · Los Angeles · America/Los_Angeles". The city is guessed from the address:
    its last line, or on one line "street, 20457 Hamburg, Germany" the part before the country,
    without the postcode."""
    lines = [line.strip() for line in studio.address.splitlines() if line.strip()]
    city = ""
    if lines:
        parts = [part.strip() for part in lines[-1].split(",") if part.strip()]
        city = parts[-2] if len(parts) >= 3 else parts[-1] if parts else ""
        city = re.sub(r"^[\d\s-]+(?=\D)", "", city)
    return " · ".join(part for part in (studio.name, city, studio.time_zone) if part)


class MembershipForm(TextGuardFormMixin, forms.Form):
    # Only someone the adder already shares a production with; a missing username and a
    # stranger's get the same refusal (studio.services.projects.membership_add).
    user = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(),
        to_field_name="username",
        widget=forms.TextInput(attrs={"placeholder": "username"}),
        error_messages={"invalid_choice": unknown_coworker_message("%(value)s")},
        label="Username",
        help_text="Someone you already work with on another production.",
    )
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = coworkers_of(user)  # type: ignore[attr-defined]


# --- studios, rooms, gear ------------------------------------------------------------------

TIER = re.compile(r"^\s*(\d+)\s*:\s*(\d+)\s*%?\s*$")


def tiers_as_text(tiers: list[dict[str, int]]) -> str:
    return ", ".join(f"{t['min_days']}:{t['percent']}" for t in tiers)


class TiersField(forms.CharField):
    """Cancellation tiers typed as "14:0, 3:50, 0:100": days of notice at least, then the fee
    in percent, most notice first."""

    def clean(self, value: Any) -> list[dict[str, int]] | None:
        # The text is checked as text first (control characters, length), then read.
        text = super().clean(value)
        if not text:
            return None
        tiers = []
        for part in text.split(","):
            match = TIER.match(part)
            if match is None:
                raise forms.ValidationError(
                    f"“{part.strip()}” is not days:percent, such as 14:0, 3:50, 0:100."
                )
            tiers.append({"min_days": int(match[1]), "percent": int(match[2])})
        try:
            validate_cancellation_tiers(tiers)
        except forms.ValidationError as error:
            raise forms.ValidationError(
                "Days:percent pairs, most notice first, percents 0 to 100, the last at "
                "0 days (14:0, 3:50, 0:100)."
            ) from error
        return tiers


class StudioForm(TextGuardFormMixin, forms.ModelForm):
    cancellation_tiers = TiersField(
        label="Cancellation fees",
        initial="14:0, 3:50, 0:100",
        help_text="Days of notice at least : fee in percent, most notice first.",
    )

    class Meta:
        model = Studio
        fields = [
            "name",
            "address",
            "time_zone",
            "currency",
            "hold_hours",
            "challenge_hours",
            "cancellation_tiers",
        ]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}
        labels = {"hold_hours": "Hold hours", "challenge_hours": "Challenge hours"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["cancellation_tiers"] = tiers_as_text(self.instance.cancellation_tiers)
        self.fields["address"].help_text = "The last line is shown as its city."
        self.fields["time_zone"].widget.attrs["placeholder"] = "Europe/Berlin"

    def _post_clean(self) -> None:
        # The service validates the model; the form stops at its fields.
        pass


class RoomForm(TextGuardFormMixin, forms.ModelForm):
    class Meta:
        model = Room
        fields = list(ROOM_FIELDS)
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
        labels = {
            "day_hours": "Day (lockout) hours",
            "day_rate": "Day (lockout) rate",
            "overtime_unit_minutes": "Overtime unit (minutes)",
            "overtime_multiplier": "Overtime × hourly rate",
            "is_active": "Bookable",
        }

    def _post_clean(self) -> None:
        pass


class GearForm(TextGuardFormMixin, forms.ModelForm):
    class Meta:
        model = Gear
        fields = [
            "name",
            "category",
            "status",
            "day_rate",
            "room",
            "make",
            "model",
            "serial_number",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, studio: Studio, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rooms = self.fields["room"]
        rooms.queryset = Room.objects.filter(studio=studio)  # type: ignore[attr-defined]
        rooms.label_from_instance = lambda room: room.name  # type: ignore[attr-defined]
        rooms.empty_label = "Not kept in one room"  # type: ignore[attr-defined]

    def _post_clean(self) -> None:
        pass


# --- contacts --------------------------------------------------------------------------------


class ContactForm(TextGuardFormMixin, forms.Form):
    """A person and what one production knows about them (that project's card)."""

    name = forms.CharField(max_length=200)
    email = forms.EmailField(required=False)
    phone = forms.CharField(max_length=40, required=False)
    instruments = forms.CharField(
        max_length=300, required=False, help_text="What they play, comma separated."
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ContactCreateForm(ContactForm):
    project = forms.ModelChoiceField(queryset=Project.objects.none(), empty_label=None)

    field_order = ["name", "project", "email", "phone", "instruments", "notes"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects_with(  # type: ignore[attr-defined]
            user, Capability.PEOPLE_MANAGE
        ).order_by("title", "pk")
        self.fields["project"].help_text = "The production whose card this is."


# --- songs: a song's page, the board's stages, the tracking sheet ----------------------------


class SongForm(TextGuardFormMixin, forms.Form):
    """A song's details; writers and holder are picked among the project's people."""

    title = forms.CharField(max_length=200)
    working_title = forms.CharField(max_length=200, required=False)
    key = forms.CharField(max_length=20, required=False, help_text="For example A minor.")
    tempo = forms.DecimalField(
        max_digits=5,
        decimal_places=1,
        min_value=Decimal("1"),
        required=False,
        help_text="Beats per minute.",
    )
    writers = forms.ModelMultipleChoiceField(
        queryset=Person.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    holder = forms.ModelChoiceField(
        queryset=Person.objects.none(),
        required=False,
        empty_label="Nobody",
        help_text="Who has the song now (the mixer, the mastering engineer...).",
    )
    due_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    notes = forms.CharField(
        required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = Person.objects.filter(projects=project).order_by("name").distinct()
        cast(forms.ModelMultipleChoiceField, self.fields["writers"]).queryset = people
        cast(forms.ModelChoiceField, self.fields["holder"]).queryset = people

    @staticmethod
    def initial_for(song: Song) -> dict[str, Any]:
        return {
            "title": song.title,
            "working_title": song.working_title,
            "key": song.key,
            "tempo": song.tempo,
            "writers": list(song.writers.all()),
            "holder": song.holder,
            "due_date": song.due_date,
            "notes": song.notes,
        }


class SongStagesForm(TextGuardFormMixin, forms.Form):
    """The board's stages for one project: a name and a "skip" box each (not for Done)."""

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = project.song_stage_names or {}
        skipped = set(project.skipped_song_stages or [])
        self.rows: list[tuple[str, str, forms.BoundField, forms.BoundField | None]] = []
        for value, label in SongStage.choices:
            self.fields[f"name_{value}"] = forms.CharField(
                max_length=STAGE_NAME_MAX,
                required=False,
                label=f"Name for {label}",
                initial=names.get(value, label),
            )
            if value != SongStage.DONE:
                self.fields[f"skip_{value}"] = forms.BooleanField(
                    required=False, label=f"Skip {label}", initial=value in skipped
                )
        for value, label in SongStage.choices:
            skip = self[f"skip_{value}"] if value != SongStage.DONE else None
            self.rows.append((value, label, self[f"name_{value}"], skip))

    def stages(self) -> tuple[dict[str, str], list[str]]:
        """The names and the skipped stages, as project_song_stages_set takes them."""
        data = self.cleaned_data
        names = {value: data[f"name_{value}"] for value in SongStage.values}
        skipped = [v for v in SongStage.values if v != SongStage.DONE and data.get(f"skip_{v}")]
        return names, skipped


class SongPartForm(TextGuardFormMixin, forms.Form):
    """One cell of the tracking sheet."""

    status = forms.ChoiceField(choices=PartStatus.choices)


class PartForm(TextGuardFormMixin, forms.Form):
    """A column of the tracking sheet: its name."""

    name = forms.CharField(max_length=100)
