"""HTML pages of budgets: the budget page with its chart and burn-down, costs, invoices."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Model, QuerySet, Sum
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from budgets import services
from budgets.forms import (
    BudgetLineForm,
    CostForm,
    CreditForm,
    InvoiceFromProjectForm,
    InvoiceLineForm,
    PayForm,
    show_refusal,
)
from budgets.models import Budget, BudgetLine, Category, Cost, Invoice, InvoiceLine
from budgets.selectors import (
    billed_items,
    budget_report,
    burn_down_series,
    credited_so_far,
    invoice_issuer_defaults,
    invoice_label,
    invoice_next_number,
    invoice_recipient_defaults,
    invoice_totals,
)
from sessions.models import Engagement
from studio.errors import Conflict
from studio.models import Booking, Project
from studio.permissions import Capability, has_capability, projects_visible, projects_with

CHART_WIDTH = 520  # px of the longest bar


def _money_projects(request: HttpRequest) -> QuerySet[Project]:
    return projects_with(request.user, Capability.BUDGET_VIEW)


def grouped(amount: Decimal) -> str:
    """2340.00 as 2,340.00: how a confirmation says a sum."""
    return f"{amount:,}"


M = TypeVar("M", bound=Model)


def _for_write(
    request: HttpRequest, queryset: QuerySet[M], pk: int, project_path: str, capability: Capability
) -> M:
    """The object a write names: a 404 unless the user is on its project, a 403 unless their
    role there may ``capability``."""
    obj = get_object_or_404(
        queryset.filter(**{f"{project_path}__in": projects_visible(request.user)}), pk=pk
    )
    project = obj
    for name in project_path.split("__"):
        project = getattr(project, name)
    if not has_capability(request.user, project, capability):  # type: ignore[arg-type]
        raise PermissionDenied("Your role on this project may not do this.")
    return obj


@login_required
def budget_index(request: HttpRequest) -> HttpResponse:
    budgets = (
        Budget.objects.filter(project__in=_money_projects(request))
        .select_related("project")
        .order_by("project__title", "-version")
    )
    latest: dict[int, Budget] = {}
    for budget in budgets:
        latest.setdefault(budget.project_id, budget)
    without = (
        projects_with(request.user, Capability.BUDGET_MANAGE)
        .exclude(pk__in=list(latest))
        .order_by("title")
    )
    return render(
        request,
        "budgets/index.html",
        {"budgets": list(latest.values()), "without_budget": list(without)},
    )


@login_required
@require_POST
def budget_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A first budget from the record-budget template, in one click."""
    project = _for_write(request, Project.objects.all(), pk, "pk", Capability.BUDGET_MANAGE)
    budget = services.budget_create(project=project)
    messages.success(request, f"Budget v{budget.version} made from the template: plan each line.")
    return redirect("budget-detail", pk=budget.pk)


@login_required
def budget_detail(request: HttpRequest, pk: int, _editor: Any = None) -> HttpResponse:
    budget = get_object_or_404(
        Budget.objects.filter(project__in=_money_projects(request)).select_related("project"), pk=pk
    )
    extra = {"editor": _editor} if _editor is not None else {}
    report = budget_report(budget=budget)
    scale = max([row.forecast for row in report.rows] + [Decimal(1)])
    bars = [
        {
            "row": row,
            "planned": int(row.planned / scale * CHART_WIDTH),
            "actual": int(row.actual / scale * CHART_WIDTH),
            "committed": int(row.committed / scale * CHART_WIDTH),
            "y": 8 + index * 30,
        }
        for index, row in enumerate(report.rows)
    ]
    points = burn_down_series(budget=budget, today=timezone.localdate())
    top = max([p.spent for p in points] + [report.ceiling, Decimal(1)])
    step = 500 / max(len(points) - 1, 1)
    # At most about eight month labels, whatever the length of the production.
    every = max(1, -(-len(points) // 8))
    burn = [
        {
            "x": int(40 + i * step),
            "y": int(180 - p.spent / top * 160),
            "point": p,
            "tick": i % every == 0 or i == len(points) - 1,
        }
        for i, p in enumerate(points)
    ]
    may_manage = has_capability(request.user, budget.project, Capability.BUDGET_MANAGE)
    versions = list(Budget.objects.filter(project=budget.project).order_by("-version"))
    context = {
        "budget": budget,
        "report": report,
        "bars": bars,
        "chart_height": 16 + len(bars) * 30,
        "label_x": CHART_WIDTH + 190,
        "burn": burn,
        "burn_path": " ".join(f"{p['x']},{p['y']}" for p in burn),
        "plan_y": int(180 - report.total.planned / top * 160),
        "ceiling_y": int(180 - report.ceiling / top * 160),
        "may_manage": may_manage,
        "costs": Cost.objects.filter(project=budget.project).order_by("-date", "-id")[:25],
        "versions": versions,
        # A re-forecast copies the approved version when it is the latest; a later draft is
        # where the re-forecast already is.
        "may_reforecast": may_manage and budget.is_approved and versions[0].pk == budget.pk,
        "editor": _line_editor(budget) if may_manage and not budget.is_approved else None,
        **extra,
    }
    return render(request, "budgets/budget.html", context)


def _line_form(line: BudgetLine, data: Any = None) -> BudgetLineForm:
    form = BudgetLineForm(
        data,
        prefix=f"line-{line.pk}",
        initial={
            "category": line.category,
            "planned": line.planned,
            "description": line.description,
        },
    )
    form.fields["category"].required = False
    return form


def _line_editor(budget: Budget, **forms: Any) -> dict[str, Any]:
    lines = list(budget.lines.all())
    return {
        "rows": [(line, forms.get(f"line-{line.pk}") or _line_form(line)) for line in lines],
        "add": forms.get("add") or BudgetLineForm(prefix="add", initial={"planned": "0"}),
        "total": sum((line.planned for line in lines), Decimal(0)),
    }


def _budget_write(request: HttpRequest, budget: Budget, **forms: Any) -> HttpResponse:
    """After a line write: the editor partial for htmx (the lines with their forms), else
    the page (with a refused form in place) or a redirect to it."""
    refused = any(form.errors for form in forms.values())
    if request.htmx:  # type: ignore[attr-defined]
        context = {"budget": budget, "editor": _line_editor(budget, **(forms if refused else {}))}
        return render(request, "budgets/budget.html#line-editor", context)
    if refused:
        return budget_detail(request, budget.pk, _editor=_line_editor(budget, **forms))
    return redirect("budget-detail", pk=budget.pk)


@login_required
@require_POST
def budget_line_add(request: HttpRequest, pk: int) -> HttpResponse:
    budget = _for_write(request, Budget.objects.all(), pk, "project", Capability.BUDGET_MANAGE)
    form = BudgetLineForm(request.POST, prefix="add")
    if form.is_valid():
        try:
            services.budget_line_save(
                budget=budget,
                category=form.cleaned_data["category"],
                planned=form.cleaned_data["planned"],
                description=form.cleaned_data["description"],
            )
        except (ValidationError, Conflict) as refusal:
            show_refusal(form, refusal)
    return _budget_write(request, budget, add=form)


@login_required
@require_POST
def budget_line_edit(request: HttpRequest, pk: int) -> HttpResponse:
    line = _for_write(
        request,
        BudgetLine.objects.select_related("budget__project"),
        pk,
        "budget__project",
        Capability.BUDGET_MANAGE,
    )
    form = _line_form(line, request.POST)
    if form.is_valid():
        try:
            services.budget_line_save(
                budget=line.budget,
                line=line,
                planned=form.cleaned_data["planned"],
                description=form.cleaned_data["description"],
            )
        except (ValidationError, Conflict) as refusal:
            show_refusal(form, refusal)
    return _budget_write(request, line.budget, **{f"line-{line.pk}": form})


@login_required
@require_POST
def budget_line_delete(request: HttpRequest, pk: int) -> HttpResponse:
    line = _for_write(
        request,
        BudgetLine.objects.select_related("budget__project"),
        pk,
        "budget__project",
        Capability.BUDGET_MANAGE,
    )
    try:
        services.budget_line_delete(line=line)
    except Conflict as conflict:
        messages.error(request, conflict.detail)
    return _budget_write(request, line.budget)


@login_required
@require_POST
def budget_approve(request: HttpRequest, pk: int) -> HttpResponse:
    budget = _for_write(request, Budget.objects.all(), pk, "project", Capability.BUDGET_MANAGE)
    try:
        services.budget_approve(budget=budget)
    except Conflict as conflict:
        messages.error(request, conflict.detail)
    else:
        messages.success(
            request, f"Version {budget.version} approved: the report compares against it."
        )
    return redirect("budget-detail", pk=budget.pk)


@login_required
@require_POST
def budget_reforecast(request: HttpRequest, pk: int) -> HttpResponse:
    budget = _for_write(request, Budget.objects.all(), pk, "project", Capability.BUDGET_MANAGE)
    latest = Budget.objects.filter(project=budget.project).order_by("-version").first()
    if latest is None or latest.pk != budget.pk or not budget.is_approved:
        messages.error(request, "Re-forecast from the latest approved version.")
        return redirect("budget-detail", pk=budget.pk)
    new = services.budget_create(project=budget.project)
    messages.success(
        request, f"Version {new.version} copies version {budget.version}: change what moved."
    )
    return redirect("budget-detail", pk=new.pk)


@login_required
def invoice_list(request: HttpRequest) -> HttpResponse:
    invoices = (
        Invoice.objects.filter(project__in=_money_projects(request))
        .select_related("project")
        .order_by("-created_at")[:100]
    )
    drafters = projects_with(request.user, Capability.INVOICES_MANAGE).order_by("title")
    return render(
        request,
        "budgets/invoices.html",
        {"invoices": invoices, "draft_projects": list(drafters)},
    )


@login_required
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = get_object_or_404(
        Invoice.objects.filter(project__in=_money_projects(request)).select_related(
            "project", "credits"
        ),
        pk=pk,
    )
    return render(request, "budgets/invoice.html", _invoice_context(request, invoice))


def _invoice_context(
    request: HttpRequest,
    invoice: Invoice,
    forms: dict[str, Any] | None = None,
    issue_errors: list[str] | None = None,
) -> dict[str, Any]:
    forms = forms or {}
    lines = list(invoice.lines.all())
    totals = invoice_totals(invoice=invoice, lines=lines)
    may_invoice = has_capability(request.user, invoice.project, Capability.INVOICES_MANAGE)
    editing = may_invoice and invoice.status == Invoice.Status.DRAFT
    rows = [
        (
            line,
            net,
            (forms.get(f"line-{line.pk}") or InvoiceLineForm.for_line(line)) if editing else None,
        )
        for line, net in zip(lines, totals.line_nets, strict=True)
    ]
    context: dict[str, Any] = {
        "invoice": invoice,
        "rows": rows,
        "totals": totals,
        "rates": sorted(totals.by_rate.items()),
        "credit_notes": invoice.credit_notes.all(),
        "may_invoice": may_invoice,
        "editing": editing,
        "add_form": forms.get("add")
        or InvoiceLineForm(prefix="add", initial={"quantity": "1", "tax_rate": "0"}),
        "issue_errors": issue_errors or [],
        "grouped_total": grouped(totals.gross),
        "may_credit": may_invoice
        and invoice.kind == Invoice.Kind.INVOICE
        and invoice.status in (Invoice.Status.ISSUED, Invoice.Status.PAID),
    }
    if editing:
        context["next_number"] = invoice_next_number(invoice=invoice, today=timezone.localdate())
    if (
        may_invoice
        and invoice.status == Invoice.Status.ISSUED
        and invoice.kind == Invoice.Kind.INVOICE
    ):
        context["pay_form"] = forms.get("pay") or PayForm(initial={"paid_on": timezone.localdate()})
    return context


def _invoice_for_write(request: HttpRequest, pk: int) -> Invoice:
    return _for_write(
        request,
        Invoice.objects.select_related("project"),
        pk,
        "project",
        Capability.INVOICES_MANAGE,
    )


def _save_invoice_line(
    form: InvoiceLineForm, invoice: Invoice, line: InvoiceLine | None, position: int
) -> None:
    """The form's line through the service; a refusal lands beside its field."""
    if not form.is_valid():
        return
    data = form.cleaned_data
    try:
        services.invoice_line_save(
            invoice=invoice,
            line=line,
            position=position,
            description=data["description"],
            quantity=data["quantity"],
            unit=data["unit"],
            unit_price=data["unit_price"],
            tax_rate=data["tax_rate"],
            vat_exemption=data["vat_exemption"],
            vat_exemption_reference=data["vat_exemption_reference"],
        )
    except (ValidationError, Conflict) as refusal:
        show_refusal(form, refusal)


def _invoice_write(
    request: HttpRequest,
    invoice: Invoice,
    forms: dict[str, Any] | None = None,
    issue_errors: list[str] | None = None,
) -> HttpResponse:
    """After a write on an invoice: the lines partial for htmx (with a refused form in place),
    else the page with the refusal beside its field (400), or a redirect to the page."""
    refused = bool(issue_errors) or any(form.errors for form in (forms or {}).values())
    if request.htmx:  # type: ignore[attr-defined]
        context = _invoice_context(request, invoice, forms if refused else None, issue_errors)
        return render(request, "budgets/invoice.html#invoice-lines", context)
    if refused:
        context = _invoice_context(request, invoice, forms, issue_errors)
        return render(request, "budgets/invoice.html", context, status=400)
    return redirect("invoice-detail", pk=invoice.pk)


@login_required
@require_POST
def invoice_line_add(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _invoice_for_write(request, pk)
    form = InvoiceLineForm(request.POST, prefix="add")
    _save_invoice_line(form, invoice, None, invoice.lines.count())
    return _invoice_write(request, invoice, {"add": form})


@login_required
@require_POST
def invoice_line_edit(request: HttpRequest, pk: int) -> HttpResponse:
    line = _for_write(
        request,
        InvoiceLine.objects.select_related("invoice__project"),
        pk,
        "invoice__project",
        Capability.INVOICES_MANAGE,
    )
    form = InvoiceLineForm(request.POST, prefix=f"line-{line.pk}")
    _save_invoice_line(form, line.invoice, line, line.position)
    return _invoice_write(request, line.invoice, {f"line-{line.pk}": form})


@login_required
@require_POST
def invoice_line_delete(request: HttpRequest, pk: int) -> HttpResponse:
    line = _for_write(
        request,
        InvoiceLine.objects.select_related("invoice__project"),
        pk,
        "invoice__project",
        Capability.INVOICES_MANAGE,
    )
    try:
        services.invoice_line_delete(line=line)
    except Conflict as conflict:
        return _invoice_write(request, line.invoice, issue_errors=[conflict.detail])
    return _invoice_write(request, line.invoice)


@login_required
@require_POST
def invoice_issue(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _invoice_for_write(request, pk)
    try:
        invoice = services.invoice_issue(invoice=invoice)
    except Conflict as conflict:
        return _invoice_write(request, invoice, issue_errors=[conflict.detail])
    except ValidationError as refusal:
        return _issue_refused(request, invoice, refusal)
    messages.success(request, f"Issued {invoice.number}: its PDF is made and kept.")
    return redirect("invoice-detail", pk=invoice.pk)


def _issue_refused(
    request: HttpRequest, invoice: Invoice, refusal: ValidationError
) -> HttpResponse:
    """Issuing checks the whole invoice; a 0 % line without its reason is said beside that
    line's reason field, the rest beside the issue button."""
    forms: dict[str, Any] = {}
    rest: list[str] = []
    for name, texts in refusal.message_dict.items():
        if name == "vat_exemption":
            for line in invoice.lines.filter(tax_rate=0, vat_exemption=""):
                form = InvoiceLineForm.for_line(line, bound=True)
                form.add_error(
                    "vat_exemption",
                    "A line at 0 % VAT says why before the invoice is issued: pick a reason.",
                )
                forms[f"line-{line.pk}"] = form
        else:
            rest.extend(texts)
    if forms and not rest:
        rest.append("Some lines at 0 % VAT do not say why: see the lines marked.")
    return _invoice_write(request, invoice, forms, issue_errors=rest)


@login_required
@require_POST
def invoice_pay(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _invoice_for_write(request, pk)
    form = PayForm(request.POST)
    if form.is_valid():
        try:
            services.invoice_pay(invoice=invoice, paid_on=form.cleaned_data["paid_on"])
        except Conflict as conflict:
            show_refusal(form, conflict)
        else:
            messages.success(request, f"{invoice.number} marked paid.")
            return redirect("invoice-detail", pk=invoice.pk)
    return _invoice_write(request, invoice, {"pay": form})


@login_required
def invoice_credit(request: HttpRequest, pk: int) -> HttpResponse:
    """A credit note for chosen lines (all by default): the first submit shows its total, the
    second issues it."""
    invoice = _invoice_for_write(request, pk)
    lines = list(invoice.lines.all())
    left = _credit_left(invoice, lines)
    choices = [(line.pk, line.description) for line in lines if left[line.pk] > 0]
    form = CreditForm(request.POST or None, choices=choices)
    if request.method != "POST":
        form = CreditForm(initial={"lines": [pk for pk, _ in choices]}, choices=choices)
    preview = None
    status = 200
    if request.method == "POST" and form.is_valid():
        chosen = set(form.cleaned_data["lines"])
        wanted = {line.pk: left[line.pk] for line in lines if line.pk in chosen}
        if "confirm" in request.POST:
            everything = {line.pk for line in lines if left[line.pk] > 0} == chosen
            try:
                note = services.invoice_credit(
                    invoice=invoice, quantities=None if everything else wanted
                )
            except (ValidationError, Conflict) as refusal:
                show_refusal(form, refusal)
            else:
                messages.success(request, f"Issued credit note {note.number} for {invoice.number}.")
                return redirect("invoice-detail", pk=note.pk)
        if not form.errors:
            preview = _credit_preview(invoice, lines, wanted)
            preview["cancels"] = chosen == {line.pk for line in lines if left[line.pk] > 0}
    if form.errors:
        status = 400
    context = {
        "invoice": invoice,
        "form": form,
        "preview": preview,
        "left": [(line, left[line.pk]) for line in lines],
    }
    template = "budgets/invoice_credit.html"
    if request.htmx:  # type: ignore[attr-defined]
        template += "#credit-preview"
    return render(request, template, context, status=status)


def _credit_left(invoice: Invoice, lines: list[InvoiceLine]) -> dict[int, Decimal]:
    credited = credited_so_far(invoice=invoice)
    return {line.pk: line.quantity - credited.get(line.pk, Decimal(0)) for line in lines}


def _credit_preview(
    invoice: Invoice, lines: list[InvoiceLine], wanted: dict[int, Decimal]
) -> dict[str, Any]:
    """What the credit note will say, before it is issued: the same totals helper."""
    taken = [
        InvoiceLine(
            description=line.description,
            quantity=-wanted[line.pk],
            unit_price=line.unit_price,
            tax_rate=line.tax_rate,
        )
        for line in lines
        if line.pk in wanted
    ]
    totals = invoice_totals(invoice=invoice, lines=taken)
    return {
        "lines": list(zip(taken, totals.line_nets, strict=True)),
        "total": totals.gross,
        "grouped": grouped(totals.gross),
        "count": len(taken),
    }


@login_required
def invoice_from_project(request: HttpRequest, pk: int) -> HttpResponse:
    """A draft from the project's bookings and engagements, both parties filled in: the
    issuer from the settings, the client from the project (and its last invoice)."""
    project = get_object_or_404(projects_visible(request.user), pk=pk)
    if not has_capability(request.user, project, Capability.INVOICES_MANAGE):
        raise PermissionDenied("Your role on this project may not draft invoices.")
    today = timezone.localdate()
    status = 200
    if request.method == "POST":
        form = InvoiceFromProjectForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                invoice = services.invoice_from_project(
                    project=project,
                    start=data["start"],
                    end=data["end"],
                    tax_rate=data["tax_rate"],
                    vat_exemption=data["vat_exemption"],
                    vat_exemption_reference=data["vat_exemption_reference"],
                    bookings=data["bookings"],
                    engagements=data["engagements"],
                    issuer_name=data["issuer_name"],
                    issuer_address=data["issuer_address"],
                    issuer_vat=data["issuer_vat"],
                    issuer_iban=data["issuer_iban"],
                    issuer_bic=data["issuer_bic"],
                    recipient_name=data["recipient_name"],
                    recipient_address=data["recipient_address"],
                    recipient_vat=data["recipient_vat"],
                    recipient_email=data["recipient_email"],
                )
            except (ValidationError, Conflict) as refusal:
                show_refusal(form, refusal)
            else:
                messages.success(
                    request,
                    f"Drafted invoice #{invoice.pk} with {invoice.lines.count()} lines: "
                    "check them, then issue it.",
                )
                return redirect("invoice-detail", pk=invoice.pk)
        status = 400
    else:
        form = InvoiceFromProjectForm(
            initial={
                "start": project.start_date or today.replace(day=1),
                # To the delivery date: confirmed studio days ahead may be billed in advance.
                "end": max(project.due_date or today, today),
                "bookings": True,
                "engagements": True,
                "tax_rate": "0",
                **invoice_issuer_defaults(project=project),
                **invoice_recipient_defaults(project=project),
            }
        )
    context = {"project": project, "form": form, **_billable(project)}
    return render(request, "budgets/invoice_new.html", context, status=status)


def _billable(project: Project) -> dict[str, Any]:
    """The project's confirmed bookings and its engagements, each marked where it is billed."""
    billed = billed_items(project_id=project.pk)
    bookings = (
        Booking.objects.filter(project=project, status=Booking.Status.CONFIRMED)
        .select_related("room__studio")
        .order_by("start")
    )
    engagements = (
        Engagement.objects.filter(session__project=project)
        .select_related("person", "session__room__studio")
        .order_by("session__start", "pk")
    )
    return {
        "bookings": [
            (b, invoice_label(billed.bookings[b.pk]) if b.pk in billed.bookings else "")
            for b in bookings
        ],
        "engagements": [
            (e, invoice_label(billed.engagements[e.pk]) if e.pk in billed.engagements else "")
            for e in engagements
        ],
    }


@login_required
def cost_list(request: HttpRequest, pk: int, form: CostForm | None = None) -> HttpResponse:
    if request.method == "POST":
        return cost_add(request, pk)
    project = get_object_or_404(_money_projects(request), pk=pk)
    costs = Cost.objects.filter(project=project).order_by("-date", "-id")
    category = request.GET.get("category", "")
    status = request.GET.get("status", "")
    if category in Category.values:
        costs = costs.filter(category=category)
    if status in Cost.Status.values:
        costs = costs.filter(status=status)
    page = Paginator(costs, 50).get_page(request.GET.get("page"))
    may_manage = has_capability(request.user, project, Capability.BUDGET_MANAGE)
    context = {
        "project": project,
        "may_manage": may_manage,
        "form": form
        or CostForm(initial={"currency": project.currency, "date": timezone.localdate()}),
        "page": page,
        "category": category,
        "status": status,
        "categories": Category.choices,
        "statuses": Cost.Status.choices,
        "total": costs.aggregate(total=Sum("amount_converted"))["total"] or Decimal("0.00"),
    }
    return render(request, "budgets/costs.html", context, status=400 if form else 200)


@login_required
def cost_receipt(request: HttpRequest, pk: int) -> FileResponse:
    """A cost's receipt, for those who see the project's money (media are not public)."""
    cost = get_object_or_404(Cost.objects.filter(project__in=_money_projects(request)), pk=pk)
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
            # No new file keeps the one the cost has.
            receipt=data["receipt"] or (cost.receipt if cost else ""),
        )
    except (ValidationError, Conflict) as refusal:
        show_refusal(form, refusal)
        return None


def cost_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = _for_write(request, Project.objects.all(), pk, "pk", Capability.BUDGET_MANAGE)
    form = CostForm(request.POST, request.FILES)
    cost = _cost_save(form, project, None)
    if cost is None:
        request.method = "GET"
        return cost_list(request, pk, form=form)
    messages.success(request, f"Added {cost.vendor}: {cost.amount} {cost.currency}.")
    return redirect("cost-list", pk=project.pk)


@login_required
def cost_edit(request: HttpRequest, pk: int) -> HttpResponse:
    cost = _for_write(
        request, Cost.objects.select_related("project"), pk, "project", Capability.BUDGET_MANAGE
    )
    status = 200
    if request.method == "POST":
        form = CostForm(request.POST, request.FILES)
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
            }
        )
    context = {"cost": cost, "project": cost.project, "form": form}
    return render(request, "budgets/cost_form.html", context, status=status)


@login_required
@require_POST
def cost_delete(request: HttpRequest, pk: int) -> HttpResponse:
    cost = _for_write(
        request, Cost.objects.select_related("project"), pk, "project", Capability.BUDGET_MANAGE
    )
    services.cost_delete(cost=cost)
    messages.success(
        request, f"Deleted the cost from {cost.vendor} ({cost.amount} {cost.currency})."
    )
    return redirect("cost-list", pk=cost.project_id)
