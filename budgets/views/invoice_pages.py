"""The invoice pages: drafted from the project, lines, issue, payment, credit notes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from budgets import services
from budgets.forms import (
    CreditForm,
    InvoiceFromProjectForm,
    InvoiceLineForm,
    PayForm,
    show_refusal,
)
from budgets.models import Invoice, InvoiceLine
from budgets.selectors import (
    billed_items,
    credited_so_far,
    invoice_issuer_defaults,
    invoice_label,
    invoice_next_number,
    invoice_recipient_defaults,
    invoice_totals,
)
from budgets.views.common import grouped, money_projects, object_for_write
from core.errors import Conflict
from core.pages import is_htmx
from projects.models import Project
from projects.permissions import Capability, has_capability, projects_visible, projects_with
from sessions.models import Engagement
from studio.models import Booking


@login_required
def invoice_list(request: HttpRequest) -> HttpResponse:
    invoices = (
        Invoice.objects.filter(project__in=money_projects(request))
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
        Invoice.objects.filter(project__in=money_projects(request)).select_related(
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
    if "pay" in forms:
        # A refused payment keeps its form, so the refusal is read where it was asked even
        # when the invoice is no longer one to pay (paid from another tab, say).
        context["pay_form"] = forms["pay"]
    elif (
        may_invoice
        and invoice.status == Invoice.Status.ISSUED
        and invoice.kind == Invoice.Kind.INVOICE
    ):
        context["pay_form"] = PayForm(initial={"paid_on": timezone.localdate()})
    return context


def _invoice_for_write(request: HttpRequest, pk: int) -> Invoice:
    return object_for_write(
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
    if is_htmx(request):
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
    line = object_for_write(
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
    line = object_for_write(
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
    if is_htmx(request):
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
