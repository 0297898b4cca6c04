"""HTML pages for contacts: the people page, adding a contact to one of my projects, and editing
a card in place (htmx swaps the row for its form and back; without htmx the form is a page of
its own). Writes go through the person_* services, the same as the API's."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.api import request_user
from core.pages import form_refusal, is_htmx
from projects import services
from projects.forms import ContactCreateForm, ContactForm
from projects.models import PersonCard
from projects.permissions import Capability, person_cards_visible, projects_with


def _manageable(request: HttpRequest) -> set[int]:
    """The user's projects whose contacts they may add and edit (one query)."""
    return set(projects_with(request.user, Capability.PEOPLE_MANAGE).values_list("pk", flat=True))


def _invitable(request: HttpRequest) -> set[int]:
    """The user's projects they may invite people onto (one query)."""
    return set(projects_with(request.user, Capability.MEMBERS_MANAGE).values_list("pk", flat=True))


def _people_page(
    request: HttpRequest, create_form: ContactCreateForm | None = None
) -> HttpResponse:
    cards = person_cards_visible(request.user).select_related("person", "project")
    query = request.GET.get("q", "").strip()
    if query:
        cards = cards.filter(
            Q(person__name__icontains=query)
            | Q(email__icontains=query)
            | Q(instruments__icontains=query)
        )
    cards = cards.order_by("person__name", "person_id", "project__title", "project_id")
    page = Paginator(cards, 50).get_page(request.GET.get("page"))
    manageable = _manageable(request)
    if create_form is None and manageable:
        create_form = ContactCreateForm(user=request.user)
    context = {
        "page": page,
        "query": query,
        "manageable": manageable,
        "invitable": _invitable(request),
        "create_form": create_form,
        # The add form opens by itself when it comes back with refusals.
        "create_open": create_form is not None and create_form.is_bound,
    }
    return render(request, "projects/people_list.html", context)


@login_required
def people_list(request: HttpRequest) -> HttpResponse:
    """One row per card of the user's projects: a person on two of them shows twice, each row
    with what that production knows about them (projects.models.PersonCard)."""
    return _people_page(request)


@login_required
@require_POST
def contact_create(request: HttpRequest) -> HttpResponse:
    if not _manageable(request):
        raise PermissionDenied("Your roles may not add contacts to any project.")
    form = ContactCreateForm(request.POST, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            person = services.person_create(
                by=request_user(request),
                name=data["name"],
                projects=[data["project"]],
                email=data["email"],
                phone=data["phone"],
                instruments=data["instruments"],
                notes=data["notes"],
            )
        except ValidationError as error:
            form_refusal(form, error)
        else:
            messages.success(request, f"Added {person} to {data['project']}.")
            return redirect("people-list")
    return _people_page(request, create_form=form)


def _card(request: HttpRequest, person_id: int, project_id: int) -> PersonCard:
    cards = person_cards_visible(request.user).select_related("person", "project")
    return get_object_or_404(cards, person_id=person_id, project_id=project_id)


@login_required
def contact_row(request: HttpRequest, person_id: int, project_id: int) -> HttpResponse:
    """One card's row as the people page shows it (what htmx puts back on Cancel)."""
    card = _card(request, person_id, project_id)
    context = {"card": card, "manageable": _manageable(request), "invitable": _invitable(request)}
    return render(request, "projects/people_list.html#card-row", context)


@login_required
def contact_edit(request: HttpRequest, person_id: int, project_id: int) -> HttpResponse:
    """Edit a person's name and this project's card: in the row with htmx, a page without."""
    card = _card(request, person_id, project_id)
    manageable = _manageable(request)
    if card.project_id not in manageable:
        raise PermissionDenied(f"Your role on {card.project} may not edit its contacts.")
    initial = {
        "name": card.person.name,
        "email": card.email,
        "phone": card.phone,
        "instruments": card.instruments,
        "notes": card.notes,
    }
    # A prefix per card: two rows open at once keep their fields' ids apart.
    form = ContactForm(
        request.POST or None, initial=initial, prefix=f"card-{person_id}-{project_id}"
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.person_update(
                person=card.person,
                by=request_user(request),
                project=card.project,
                name=data["name"],
                email=data["email"],
                phone=data["phone"],
                instruments=data["instruments"],
                notes=data["notes"],
            )
        except ValidationError as error:
            form_refusal(form, error)
        except PermissionDenied as refusal:
            # The shared name, which only the person or a manager of all their productions
            # may change: said beside the name.
            form.add_error("name", str(refusal))
        else:
            if is_htmx(request):
                card = _card(request, person_id, project_id)
                context = {
                    "card": card,
                    "manageable": manageable,
                    "invitable": _invitable(request),
                    "saved": True,
                }
                return render(request, "projects/people_list.html#card-row", context)
            messages.success(request, f"Saved {data['name']} on {card.project}.")
            return redirect("people-list")
    context = {"card": card, "form": form}
    if is_htmx(request):
        return render(request, "projects/people_list.html#card-form", context)
    return render(request, "projects/contact_form.html", context)
