"""Forms of the release page. They check shapes (a date is a date); the rules live in the
services they feed, whose refusals `form_refusal` puts beside the field they name."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from releases.models import Release, Target, Track
from songs.models import Song

# Release fields go to ids like #field-upc, the anchors readiness links to.
RELEASE_AUTO_ID = "field-%s"


class ReleaseForm(forms.Form):
    title = forms.CharField(max_length=300)
    version = forms.CharField(max_length=200, required=False, help_text="e.g. Deluxe")
    display_artist = forms.CharField(max_length=300, label="Display artist")
    type = forms.ChoiceField(choices=Release.Type.choices)
    label = forms.CharField(max_length=200, required=False)
    # Room for the spaces and dashes people type; the service keeps the 13 digits.
    upc = forms.CharField(max_length=20, required=False, label="UPC / EAN")
    catalog_number = forms.CharField(max_length=50, required=False, label="Catalogue number")
    release_date = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Release date"
    )
    original_release_date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        label="Original release date",
    )
    genre = forms.CharField(max_length=100, required=False)
    language = forms.CharField(max_length=8, required=False, help_text="ISO 639, e.g. en")
    p_line_year = forms.IntegerField(required=False, min_value=1900, max_value=2100, label="℗ year")
    p_line_owner = forms.CharField(max_length=200, required=False, label="℗ owner")
    c_line_year = forms.IntegerField(required=False, min_value=1900, max_value=2100, label="© year")
    c_line_owner = forms.CharField(max_length=200, required=False, label="© owner")
    parental_warning = forms.ChoiceField(
        choices=Release.ParentalWarning.choices, label="Parental warning"
    )
    targets = forms.MultipleChoiceField(
        choices=Target.choices,
        widget=forms.CheckboxSelectMultiple,
        label="Deliverable formats",
    )

    def __init__(self, data: Any = None, *, release: Release) -> None:
        initial = {name: getattr(release, name) for name in self.base_fields}
        super().__init__(data, initial=initial, auto_id=RELEASE_AUTO_ID)


class TrackForm(forms.Form):
    """One track's metadata; prefixed `track-<id>`, so its fields are #track-<id>-isrc."""

    title = forms.CharField(max_length=300)
    version = forms.CharField(max_length=200, required=False)
    disc = forms.IntegerField(min_value=1, max_value=99, initial=1)
    position = forms.IntegerField(min_value=1, max_value=999, label="No.")
    isrc = forms.CharField(max_length=20, required=False, label="ISRC")
    iswc = forms.CharField(max_length=20, required=False, label="ISWC")
    explicit = forms.BooleanField(required=False)
    instrumental = forms.BooleanField(required=False)

    def __init__(self, data: Any = None, *, track: Track) -> None:
        initial = {name: getattr(track, name) for name in self.base_fields}
        super().__init__(data, initial=initial, prefix=f"track-{track.pk}", auto_id="%s")


class TrackAddForm(forms.Form):
    """A new track, typed or made from one of the project's songs (its title, writers and
    approved master come with it)."""

    song = forms.ModelChoiceField(
        queryset=Song.objects.none(),
        required=False,
        empty_label="— none: type a title —",
        help_text="Fills the title, credits the writers, takes its approved master.",
    )
    title = forms.CharField(max_length=300, required=False)
    disc = forms.IntegerField(min_value=1, max_value=99, initial=1)
    position = forms.IntegerField(min_value=1, max_value=999, label="No.")

    def __init__(
        self,
        data: Any = None,
        *,
        initial: dict[str, Any] | None = None,
        release: Release | None = None,
    ) -> None:
        super().__init__(data, initial=initial, prefix="new-track", auto_id="%s")
        field = self.fields["song"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101  # declared above
        self.has_songs = False
        if release is not None:
            field.queryset = Song.objects.filter(project_id=release.project_id).exclude(
                tracks__release=release
            )
            # The options read once (one query for the page, whatever the number of songs);
            # a submitted choice is still checked against the queryset.
            songs = list(field.queryset.only("id", "title"))
            field.choices = [("", field.empty_label or ""), *((s.pk, s.title) for s in songs)]
            self.has_songs = bool(songs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("song") and not cleaned.get("title"):
            self.add_error("title", "Type a title, or choose a song.")
        return cleaned


class CoverForm(forms.Form):
    cover = forms.FileField(
        label="Cover (JPEG or PNG, square, 1400 to 6000 px)",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )

    def __init__(self, data: Any = None, files: Any = None) -> None:
        super().__init__(data, files, auto_id=RELEASE_AUTO_ID)

    def clean_cover(self) -> Any:
        upload = self.cleaned_data["cover"]
        if upload.size > 30 * 1024 * 1024:
            raise ValidationError("Cover art is at most 30 MB.")
        return upload


class IsrcPrefixForm(forms.Form):
    name = forms.CharField(max_length=200, label="Registrant name")
    country = forms.CharField(max_length=2, min_length=2, help_text="e.g. DE")
    registrant = forms.CharField(max_length=3, min_length=3, help_text="e.g. A12")

    def __init__(self, data: Any = None) -> None:
        super().__init__(data, prefix="prefix", auto_id="%s")
