"""The cost pages: costs added, edited and deleted, with their receipts."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from budgets import services
from budgets.forms import (
    CostForm,
    show_refusal,
)
from budgets.models import Category, Cost
from budgets.views.common import money_projects, object_for_write
from core.errors import Conflict
from projects.models import Project
from projects.permissions import Capability, has_capability
from songs.models import Song


def project_songs(project: Project) -> list[tuple[int, str]]:
    """The project's songs as (id, title) by title: the cost form's select and the filter."""
    return list(Song.objects.filter(project=project).order_by("title").values_list("pk", "title"))


@login_required
def cost_list(request: HttpRequest, pk: int, form: CostForm | None = None) -> HttpResponse:
    if request.method == "POST":
        return cost_add(request, pk)
    project = get_object_or_404(money_projects(request), pk=pk)
    costs = Cost.objects.filter(project=project).select_related("song").order_by("-date", "-id")
    category = request.GET.get("category", "")
    status = request.GET.get("status", "")
    songs = project_songs(project)
    song = request.GET.get("song", "")
    if category in Category.values:
        costs = costs.filter(category=category)
    if status in Cost.Status.values:
        costs = costs.filter(status=status)
    if song == "none":
        costs = costs.filter(song__isnull=True)
    elif song.isdigit() and int(song) in dict(songs):
        costs = costs.filter(song_id=int(song))
    else:
        song = ""
    page = Paginator(costs, 50).get_page(request.GET.get("page"))
    may_manage = has_capability(request.user, project, Capability.BUDGET_MANAGE)
    context = {
        "project": project,
        "may_manage": may_manage,
        "form": form
        or CostForm(
            initial={"currency": project.currency, "date": timezone.localdate()}, songs=songs
        ),
        "page": page,
        "category": category,
        "status": status,
        "categories": Category.choices,
        "statuses": Cost.Status.choices,
        "songs": songs,
        "song": song,
        "total": costs.aggregate(total=Sum("amount_converted"))["total"] or Decimal("0.00"),
    }
    return render(request, "budgets/costs.html", context, status=400 if form else 200)


@login_required
def cost_receipt(request: HttpRequest, pk: int) -> FileResponse:
    """A cost's receipt, for those who see the project's money (media are not public)."""
    cost = get_object_or_404(Cost.objects.filter(project__in=money_projects(request)), pk=pk)
    if not cost.receipt:
        raise Http404("This cost has no receipt.")
    return FileResponse(
        cost.receipt.open("rb"), as_attachment=False, filename=cost.receipt.name.rsplit("/", 1)[-1]
    )


def _cost_save(form: CostForm, project: Project, cost: Cost | None) -> Cost | None:
    """The form's cost through the service, or None with the refusal beside its field."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        return services.cost_save(
            project=project,
            cost=cost,
            amount=data["amount"],
            currency=data["currency"],
            exchange_rate=data["exchange_rate"],
            vendor=data["vendor"],
            category=data["category"],
            date=data["date"],
            status=data["status"],
            recoupable=data["recoupable"],
            description=data["description"],
            song=Song.objects.filter(project=project, pk=data["song"]).first()
            if data["song"] is not None
            else None,
            # No new file keeps the one the cost has.
            receipt=data["receipt"] or (cost.receipt if cost else ""),
        )
    except (ValidationError, Conflict) as refusal:
        show_refusal(form, refusal)
        return None


def cost_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = object_for_write(request, Project.objects.all(), pk, "pk", Capability.BUDGET_MANAGE)
    form = CostForm(request.POST, request.FILES, songs=project_songs(project))
    cost = _cost_save(form, project, None)
    if cost is None:
        request.method = "GET"
        return cost_list(request, pk, form=form)
    messages.success(request, f"Added {cost.vendor}: {cost.amount} {cost.currency}.")
    return redirect("cost-list", pk=project.pk)


@login_required
def cost_edit(request: HttpRequest, pk: int) -> HttpResponse:
    cost = object_for_write(
        request, Cost.objects.select_related("project"), pk, "project", Capability.BUDGET_MANAGE
    )
    status = 200
    if request.method == "POST":
        form = CostForm(request.POST, request.FILES, songs=project_songs(cost.project))
        if _cost_save(form, cost.project, cost) is not None:
            messages.success(request, f"Saved {cost.vendor}: {cost.amount} {cost.currency}.")
            return redirect("cost-list", pk=cost.project_id)
        status = 400
    else:
        form = CostForm(
            initial={
                "vendor": cost.vendor,
                "category": cost.category,
                "amount": cost.amount,
                "currency": cost.currency,
                "date": cost.date,
                "exchange_rate": None
                if cost.currency == cost.project.currency
                else cost.exchange_rate,
                "status": cost.status,
                "recoupable": cost.recoupable,
                "description": cost.description,
                "song": cost.song_id,
            },
            songs=project_songs(cost.project),
        )
    context = {"cost": cost, "project": cost.project, "form": form}
    return render(request, "budgets/cost_form.html", context, status=status)


@login_required
@require_POST
def cost_delete(request: HttpRequest, pk: int) -> HttpResponse:
    cost = object_for_write(
        request, Cost.objects.select_related("project"), pk, "project", Capability.BUDGET_MANAGE
    )
    services.cost_delete(cost=cost)
    messages.success(
        request, f"Deleted the cost from {cost.vendor} ({cost.amount} {cost.currency})."
    )
    return redirect("cost-list", pk=cost.project_id)
