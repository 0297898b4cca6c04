"""The account page: which kinds of mail the user gets (projects.notices), per kind, the
way to the sign-in settings (allauth's pages), and signing out everywhere."""

from __future__ import annotations

from allauth.mfa.utils import is_mfa_enabled
from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from core.api import request_user
from projects import services
from projects.accounts import SECOND_FACTORS, two_factor_required_by
from projects.models import NoticeKind, Person
from projects.notices import notice_kinds_enabled, notice_preferences_set


class NoticePreferencesForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        label="Mail me about",
        choices=NoticeKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


@login_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    """GET shows each kind with its box; POST saves the ticked ones as on, the rest as off.
    Preferences belong to the user's person: without one, the page says so and has no form."""
    user = request_user(request)
    person = Person.objects.filter(user=user).first()
    status = 200
    form: NoticePreferencesForm | None = None
    if person is not None:
        if request.method == "POST":
            form = NoticePreferencesForm(request.POST)
            if form.is_valid():
                try:
                    notice_preferences_set(person=person, enabled=form.cleaned_data["kinds"])
                except ValidationError as error:
                    form.add_error("kinds", error.messages)
                else:
                    messages.success(request, "Your mail preferences are saved.")
                    return redirect("account")
            status = 400
        else:
            form = NoticePreferencesForm(
                initial={"kinds": sorted(notice_kinds_enabled(person=person))}
            )
    elif request.method == "POST":
        status = 400
    context = {
        "person": person,
        "form": form,
        "login_email": user.email,
        "two_factor": is_mfa_enabled(user, types=SECOND_FACTORS),
        "two_factor_required": [str(p) for p in two_factor_required_by(user)],
    }
    return render(request, "projects/account.html", context, status=status)


@login_required
@require_POST
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    """End every session of the user, this one included, and remove their API token."""
    user = request_user(request)
    ended = services.sign_out_everywhere(user=user)
    logout(request)
    messages.success(
        request,
        f"Signed out everywhere ({ended} session{'s' if ended != 1 else ''}); your API token "
        "was removed.",
    )
    return redirect("account_login")
