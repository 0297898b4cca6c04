"""The meeting form: a day and wall-clock times read in the meeting's zone."""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from core.validators import TextGuardFormMixin, validate_time_zone
from projects.hooks import links
from projects.models import Meeting, Person, Project, Role
from projects.permissions import Capability, coworkers_of, projects_with, role_on
from projects.services.projects import unknown_coworker_message


class MeetingForm(TextGuardFormMixin, forms.Form):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=Meeting.Kind.choices, initial=Meeting.Kind.PRE_PRODUCTION)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    time_zone = forms.CharField(
        max_length=64,
        validators=[validate_time_zone],
        help_text="Where the times are read (IANA zone, e.g. Europe/Berlin).",
    )
    place = forms.CharField(max_length=300, required=False, help_text="An address or a room.")
    link = forms.URLField(
        max_length=500, required=False, assume_scheme="https", help_text="A call's address."
    )
    people = forms.ModelMultipleChoiceField(
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The project's people to invite.",
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = self.fields["people"]
        people.queryset = Person.objects.filter(projects=project).order_by("name", "pk")  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, meeting: Meeting) -> dict[str, Any]:
        zone = meeting.zone
        start, end = meeting.start.astimezone(zone), meeting.end.astimezone(zone)
        return {
            "title": meeting.title,
            "kind": meeting.kind,
            "day": start.date(),
            "start": start.time(),
            "end": end.time(),
            "time_zone": meeting.time_zone,
            "place": meeting.place,
            "link": meeting.link,
            "people": list(meeting.people.all()),
            "notes": meeting.notes,
        }

    def clean(self) -> dict[str, Any]:
        """A wall-clock time the zone skips (the hour lost when clocks go forward) is refused
        beside its field, not shifted by an hour behind the user's back."""
        data = super().clean() or {}
        day, zone_name = data.get("day"), data.get("time_zone")
        if day is None or not zone_name:
            return data
        zone = zoneinfo.ZoneInfo(zone_name)
        for name in ("start", "end"):
            clock = data.get(name)
            if clock is None:
                continue
            value = datetime.datetime.combine(day, clock, tzinfo=zone)
            back = value.astimezone(datetime.UTC).astimezone(zone)
            if back.replace(tzinfo=None) != value.replace(tzinfo=None):
                self.add_error(name, f"{clock:%H:%M} does not exist in {zone_name} that day.")
        return data

    def service_arguments(self) -> dict[str, Any]:
        """What meeting_create / meeting_update take. An end before the start runs past
        midnight (a listening session from 22:00 to 01:00)."""
        data = self.cleaned_data
        zone = zoneinfo.ZoneInfo(data["time_zone"])
        start = datetime.datetime.combine(data["day"], data["start"], tzinfo=zone)
        end_day = data["day"] + datetime.timedelta(days=1 if data["end"] < data["start"] else 0)
        end = datetime.datetime.combine(end_day, data["end"], tzinfo=zone)
        return {
            "title": data["title"],
            "kind": data["kind"],
            "start": start,
            "end": end,
            "time_zone": data["time_zone"],
            "place": data["place"],
            "link": data["link"],
            "people": list(data["people"]),
            "notes": data["notes"],
        }


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
            "notes",
            "require_two_factor",
        ]
        labels = {"require_two_factor": "Members sign in with two factors"}
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "due_date": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # What the apps above link a project to (its studios), before the notes.
        for link in links():
            field = forms.ModelMultipleChoiceField(
                queryset=link.choices(),
                required=False,
                widget=forms.CheckboxSelectMultiple,
                help_text=link.help_text,
            )
            field.label_from_instance = link.label  # type: ignore[assignment]
            if self.instance.pk:
                field.initial = list(getattr(self.instance, link.name).all())
            self.fields[link.name] = field
        self.order_fields(
            [*self._meta.fields[:-2], *(link.name for link in links()), *self._meta.fields[-2:]]  # type: ignore[index]
        )
        # The producers' setting: a manager sees it, unchangeable (a new project's maker is
        # its producer).
        if self.instance.pk and role_on(user, self.instance) != Role.PRODUCER:
            self.fields["require_two_factor"].disabled = True
            self.fields["require_two_factor"].help_text += " Producers change this."

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, due = data.get("start_date"), data.get("due_date")
        if start and due and due < start:
            self.add_error("due_date", "The due date is before the start.")
        return data


class MembershipForm(TextGuardFormMixin, forms.Form):
    # Only someone the adder already shares a production with; a missing username and a
    # stranger's get the same refusal (projects.services.projects.membership_add).
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


class InvitationForm(TextGuardFormMixin, forms.Form):
    """Invite an address onto the project: the hub's form, prefilled from a contact card."""

    email = forms.EmailField(label="E-mail address", max_length=254)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)
    person = forms.ModelChoiceField(
        queryset=Person.objects.none(), required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update(
            {"autocomplete": "off", "placeholder": "name@example.com"}
        )
        person = self.fields["person"]
        person.queryset = Person.objects.filter(cards__project=project)  # type: ignore[attr-defined]
