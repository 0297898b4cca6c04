from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from studio.models import Project, Role
from studio.permissions import coworkers_of, studios_visible
from studio.services.projects import unknown_coworker_message
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
        self.fields["studios"].queryset = studios_visible(user)  # type: ignore[attr-defined]


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
