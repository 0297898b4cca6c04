"""Forms of the songs' pages (a song, its stages, the tracking sheet's cells and parts) and of
the versions and listen pages. They check shapes; the services hold the rules, and their
refusals land beside the field they name (core.pages.form_refusal)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.validators import TextGuardFormMixin
from projects.models import Person, Project
from projects.models.stages import STAGE_NAME_MAX
from songs.models import PartStatus, Song, SongStage, VersionKind
from songs.services.versions import parse_time


class VersionUploadForm(forms.Form):
    kind = forms.ChoiceField(choices=VersionKind.choices, initial=VersionKind.MIX)
    file = forms.FileField(
        label="Audio file (WAV, FLAC or AIFF)",
        widget=forms.ClearableFileInput(attrs={"accept": ".wav,.wave,.flac,.aif,.aiff,audio/*"}),
    )

    def __init__(self, data: Any = None, files: Any = None) -> None:
        super().__init__(data, files, prefix="upload", auto_id="%s")


class TimeInput(forms.CharField):
    """A time in the version as people write it: 42, 0:42, 1:02:03."""

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        return parse_time(text)


class NoteForm(forms.Form):
    at_seconds = TimeInput(
        label="At",
        help_text="m:ss, e.g. 0:42",
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "autocomplete": "off", "size": 6, "class": "time"}
        ),
    )
    body = forms.CharField(
        label="Note", max_length=2000, widget=forms.Textarea(attrs={"rows": 2, "cols": 40})
    )

    def __init__(self, data: Any = None, *, prefix: str = "note") -> None:
        super().__init__(data, prefix=prefix, auto_id="%s")


class GuestNoteForm(NoteForm):
    guest_name = forms.CharField(label="Your name", max_length=100)

    field_order = ["guest_name", "at_seconds", "body"]


class ListenLinkForm(forms.Form):
    label = forms.CharField(max_length=200, label="For", help_text="e.g. Mastering engineer")
    days = forms.IntegerField(min_value=1, max_value=365, initial=14, label="Expires after (days)")
    password = forms.CharField(
        required=False,
        label="Password (optional)",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    allow_download = forms.BooleanField(
        required=False, label="Allow download of the file as uploaded"
    )
    allow_notes = forms.BooleanField(required=False, label="Allow notes under a name")

    def __init__(self, data: Any = None) -> None:
        super().__init__(data, prefix="link", auto_id="%s")

    def expires_at(self) -> datetime.datetime:
        return timezone.now() + datetime.timedelta(days=self.cleaned_data["days"])


class ListenPasswordForm(forms.Form):
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "off"}))

    def __init__(self, data: Any = None) -> None:
        super().__init__(data, auto_id="%s")

    def refuse(self) -> None:
        self.add_error("password", ValidationError("That is not the link's password."))


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
