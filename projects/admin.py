"""The admin of projects: people and their cards, projects with their members, meetings,
notices and preferences. Deletes go through the services."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.forms.renderers import BaseRenderer
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString

from core.admin import ServiceDeleteAdmin
from core.api import request_user
from core.errors import Conflict
from projects import services
from projects.hooks import links, links_set
from projects.models import (
    Invitation,
    Meeting,
    Membership,
    Notice,
    NoticePreference,
    Person,
    PersonCard,
    Project,
)
from projects.services.projects import project_delete


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["notified_at"]


class PersonCardInline(admin.TabularInline):
    model = PersonCard
    extra = 0
    autocomplete_fields = ["project"]


@admin.register(Person)
class PersonAdmin(ServiceDeleteAdmin):
    list_display = ["name", "user", "created_at"]
    search_fields = ["name", "user__username"]
    autocomplete_fields = ["user"]
    inlines = [PersonCardInline]

    def delete_with_service(self, request: HttpRequest, obj: Any) -> None:
        services.person_delete(person=obj, by=request_user(request))


@admin.register(PersonCard)
class PersonCardAdmin(ServiceDeleteAdmin):
    """Deleting a card deletes its person, as the API's DELETE of a contact does (a contact
    stays on at least one project; leaving one project is the person's page's edit)."""

    list_display = ["person", "project", "email", "phone", "instruments"]
    list_select_related = ["person", "project"]
    search_fields = ["person__name", "project__title", "email", "instruments"]
    autocomplete_fields = ["person", "project"]

    def get_deleted_objects(
        self, objs: Sequence[PersonCard] | QuerySet[PersonCard], request: HttpRequest
    ) -> tuple[list[str], dict[str, int], set[str], list[str]]:
        # The confirmation lists what goes: the person with every card of theirs.
        people = list(Person.objects.filter(cards__in=objs).distinct())
        return super().get_deleted_objects(people, request)

    def delete_with_service(self, request: HttpRequest, obj: Any) -> None:
        # A second card of a person deleted with the first in one bulk delete is gone already.
        person = Person.objects.filter(cards=obj).first()
        if person is not None:
            services.person_delete(person=person, by=request_user(request))


class _Picker(FilteredSelectMultiple):
    """The admin's picker of many rows, in the wrapper a model field's picker has (it keeps the
    label beside the picker)."""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: BaseRenderer | None = None,
    ) -> SafeString:
        picker = super().render(name, value, attrs, renderer)
        return format_html('<div class="related-widget-wrapper">{}</div>', picker)


def _linked_form() -> type[forms.ModelForm[Any]]:
    fields = {
        link.name: forms.ModelMultipleChoiceField(
            queryset=link.choices(),
            required=False,
            widget=_Picker(link.name, is_stacked=False),
            help_text=link.help_text,
        )
        for link in links()
    }

    def __init__(self: forms.ModelForm[Any], *args: Any, **kwargs: Any) -> None:
        forms.ModelForm.__init__(self, *args, **kwargs)
        if self.instance.pk:
            for link in links():
                self.initial[link.name] = list(getattr(self.instance, link.name).all())

    return type("ProjectAdminForm", (forms.ModelForm,), {**fields, "__init__": __init__})


@admin.register(Project)
class ProjectAdmin(ServiceDeleteAdmin):
    list_display = ["title", "artist", "client", "status", "currency", "due_date"]
    list_filter = ["status", "currency"]
    search_fields = ["title", "artist", "client"]
    inlines = [MembershipInline]

    def get_form(
        self, request: HttpRequest, obj: Any | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[Any]]:
        """The model's fields, then each link the apps above register (``projects.hooks``:
        the studios it uses), picked as the admin picks many-to-many rows."""
        kwargs["form"] = _linked_form()
        return super().get_form(request, obj, change, **kwargs)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        links_set(
            form.instance, {link.name: list(form.cleaned_data[link.name]) for link in links()}
        )

    def delete_with_service(self, request: HttpRequest, obj: Any) -> None:
        try:
            project_delete(project=obj, by=request_user(request))
        except PermissionDenied as refusal:
            # A message on the project's page, as the other refusals (not the admin's 403).
            raise Conflict(str(refusal), code="permission_denied") from refusal


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["project", "user", "role", "created_at", "notified_at"]
    list_filter = ["role"]
    list_select_related = ["project", "user"]
    search_fields = ["project__title", "user__username"]
    autocomplete_fields = ["project", "user"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "kind", "start", "time_zone", "cancelled_at"]
    list_filter = ["kind"]
    list_select_related = ["project"]
    search_fields = ["title", "place", "project__title"]
    filter_horizontal = ["people"]
    # Calendars follow uid and sequence; meeting_update and meeting_cancel keep them honest.
    readonly_fields = ["uid", "sequence", "cancelled_at", "created_by", "created_at", "updated_at"]


@admin.register(NoticePreference)
class NoticePreferenceAdmin(admin.ModelAdmin):
    list_display = ["person", "kind", "enabled"]
    list_filter = ["kind", "enabled"]
    list_select_related = ["person"]
    search_fields = ["person__name"]
    autocomplete_fields = ["person"]


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["kind", "to_email", "subject", "attempts", "created_at", "sent_at"]
    list_filter = ["kind", ("sent_at", admin.EmptyFieldListFilter)]
    list_select_related = ["person"]
    search_fields = ["key", "to_email", "subject"]
    # A notice is the record of a mail told once (projects.notices): written by notice_tell,
    # closed by notice_send; typing one in would bypass both.
    readonly_fields = [
        "key",
        "kind",
        "person",
        "to_email",
        "subject",
        "attempts",
        "created_at",
        "sent_at",
    ]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Invitations are made, resent and withdrawn on the project's page (its rules apply
    there); the admin lists them."""

    list_display = [
        "email",
        "project",
        "role",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ]
    list_filter = ["role"]
    search_fields = ["email", "project__title"]
    list_select_related = ["project", "invited_by"]
    readonly_fields = [f.name for f in Invitation._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
