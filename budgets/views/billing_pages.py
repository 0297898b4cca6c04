"""The billing plan page: a project's milestones, each waiting or reached with its draft
invoice; plan and milestones written through budgets.services.billing, as the API does."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from budgets import services
from budgets.forms import BillingMilestoneForm, BillingPlanForm, show_refusal
from budgets.milestones import RULES
from budgets.models import VatExemption
from budgets.models.billing import BillingMilestone, BillingPlan
from budgets.selectors import (
    invoice_issuer_defaults,
    invoice_recipient_defaults,
    milestone_amount,
)
from budgets.services.billing import PLAN_FIELDS
from budgets.views.common import grouped, money_projects, object_for_write
from core.errors import Conflict
from projects.models import Project
from projects.permissions import Capability, has_capability


def _plan_form(project: Project, plan: BillingPlan | None, data: Any = None) -> BillingPlanForm:
    if plan is not None:
        initial = {name: getattr(plan, name) for name in PLAN_FIELDS}
    else:
        # A new plan starts from what the project's invoices carried (or the settings' issuer).
        initial = {
            **invoice_issuer_defaults(project=project),
            **invoice_recipient_defaults(project=project),
        }
    return BillingPlanForm(data, initial=initial, prefix="plan")


def _page(
    request: HttpRequest,
    project: Project,
    *,
    plan_form: BillingPlanForm | None = None,
    milestone_form: BillingMilestoneForm | None = None,
    status: int = 200,
) -> HttpResponse:
    plan = (
        BillingPlan.objects.filter(project=project).prefetch_related("milestones__invoice").first()
    )
    may_invoice = has_capability(request.user, project, Capability.INVOICES_MANAGE)
    rows = []
    if plan is not None:
        for milestone in plan.milestones.all():
            due = milestone_amount(plan, milestone)
            rows.append(
                {
                    "milestone": milestone,
                    "due": due,
                    "due_text": f"{grouped(due)} {plan.currency}" if due is not None else "",
                    "rule": RULES.get(milestone.kind, ""),
                }
            )
    context = {
        "project": project,
        "plan": plan,
        "rows": rows,
        "may_invoice": may_invoice,
        "plan_form": plan_form or (_plan_form(project, plan) if may_invoice else None),
        "milestone_form": milestone_form
        or (BillingMilestoneForm(prefix="milestone") if may_invoice else None),
        "budget": project.budgets.order_by("-version").first(),
        "total_text": f"{grouped(plan.total_fee)} {plan.currency}"
        if plan is not None and plan.total_fee is not None
        else "",
        "vat_reason": VatExemption(plan.vat_exemption).label
        if plan is not None and plan.vat_exemption
        else "",
    }
    return render(request, "budgets/billing.html", context, status=status)


@login_required
def billing_plan(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan's page; a POST makes the plan, or changes it."""
    if request.method != "POST":
        return _page(request, get_object_or_404(money_projects(request), pk=pk))
    project = object_for_write(request, Project.objects.all(), pk, "pk", Capability.INVOICES_MANAGE)
    plan = BillingPlan.objects.filter(project=project).first()
    form = _plan_form(project, plan, request.POST)
    if form.is_valid():
        fields = {name: form.cleaned_data[name] for name in PLAN_FIELDS}
        try:
            if plan is None:
                services.billing_plan_create(project=project, **fields)
                messages.success(request, "Billing plan made: add its milestones.")
            else:
                services.billing_plan_update(plan=plan, **fields)
                messages.success(request, "Billing plan saved.")
            return redirect("billing-plan", pk=project.pk)
        except (ValidationError, Conflict) as refusal:
            show_refusal(form, refusal)
    return _page(request, project, plan_form=form, status=400)


@login_required
@require_POST
def billing_plan_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Check now: draft the invoices of the milestones the songs reach."""
    plan = object_for_write(
        request,
        BillingPlan.objects.select_related("project"),
        pk,
        "project",
        Capability.INVOICES_MANAGE,
    )
    try:
        reached = services.billing_check(project=plan.project)
    except (ValidationError, Conflict) as refusal:
        text = refusal.detail if isinstance(refusal, Conflict) else " ".join(refusal.messages)
        messages.error(request, f"A milestone's invoice could not be drafted: {text}")
        return redirect("billing-plan", pk=plan.project_id)
    if reached:
        names = ", ".join(m.label for m in reached)
        messages.success(request, f"Reached: {names}. Check the draft invoices, then issue them.")
    else:
        messages.info(request, "No milestone waiting is reached yet.")
    return redirect("billing-plan", pk=plan.project_id)


def _milestone_fields(form: BillingMilestoneForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "kind": data["kind"],
        "label": data["label"],
        "amount": data["amount"],
        "percent": data["percent"],
        "position": data["position"] or 0,
    }


@login_required
@require_POST
def billing_milestone_add(request: HttpRequest, pk: int) -> HttpResponse:
    plan = object_for_write(
        request,
        BillingPlan.objects.select_related("project"),
        pk,
        "project",
        Capability.INVOICES_MANAGE,
    )
    form = BillingMilestoneForm(request.POST, prefix="milestone")
    if form.is_valid():
        try:
            milestone = services.billing_milestone_save(plan=plan, **_milestone_fields(form))
        except (ValidationError, Conflict) as refusal:
            show_refusal(form, refusal)
        else:
            if milestone.is_reached:
                messages.success(
                    request,
                    f"Added {milestone.label}: reached, its invoice is drafted for you to check.",
                )
            else:
                messages.success(request, f"Added {milestone.label}.")
            return redirect("billing-plan", pk=plan.project_id)
    return _page(request, plan.project, milestone_form=form, status=400)


@login_required
def billing_milestone_edit(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = object_for_write(
        request,
        BillingMilestone.objects.select_related("plan__project"),
        pk,
        "plan__project",
        Capability.INVOICES_MANAGE,
    )
    status = 200
    if request.method == "POST":
        form = BillingMilestoneForm(request.POST, prefix="milestone")
        if form.is_valid():
            try:
                services.billing_milestone_save(
                    plan=milestone.plan, milestone=milestone, **_milestone_fields(form)
                )
            except (ValidationError, Conflict) as refusal:
                show_refusal(form, refusal)
            else:
                messages.success(request, f"Saved {form.cleaned_data['label'] or 'the milestone'}.")
                return redirect("billing-plan", pk=milestone.plan.project_id)
        status = 400
    else:
        form = BillingMilestoneForm(
            initial={
                "kind": milestone.kind,
                "label": milestone.label,
                "amount": milestone.amount,
                "percent": milestone.percent,
                "position": milestone.position,
            },
            prefix="milestone",
        )
    context = {"milestone": milestone, "project": milestone.plan.project, "form": form}
    return render(request, "budgets/billing_milestone.html", context, status=status)


@login_required
@require_POST
def billing_milestone_delete(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = object_for_write(
        request,
        BillingMilestone.objects.select_related("plan__project"),
        pk,
        "plan__project",
        Capability.INVOICES_MANAGE,
    )
    try:
        services.billing_milestone_delete(milestone=milestone)
    except Conflict as refusal:
        messages.error(request, refusal.detail)
    else:
        messages.success(request, f"Removed {milestone.label}.")
    return redirect("billing-plan", pk=milestone.plan.project_id)


@login_required
@require_POST
def billing_milestone_reach(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = object_for_write(
        request,
        BillingMilestone.objects.select_related("plan__project"),
        pk,
        "plan__project",
        Capability.INVOICES_MANAGE,
    )
    try:
        milestone = services.billing_milestone_reach(milestone=milestone)
    except (ValidationError, Conflict) as refusal:
        text = refusal.detail if isinstance(refusal, Conflict) else " ".join(refusal.messages)
        messages.error(request, text)
    else:
        messages.success(
            request, f"{milestone.label} reached: its invoice is drafted for you to check."
        )
    return redirect("billing-plan", pk=milestone.plan.project_id)
