"""Forms of the versions page and the listen page. They check shapes; the services hold the
rules, and their refusals land beside the field they name (releases.forms.refusals_onto)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from releases.models import VersionKind
from releases.services.versions import parse_time


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
