"""The budgets part of `manage.py demo`: found again by project, so a second run adds nothing."""

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from budgets import services
from budgets.models import BillingPlan, Budget, Cost, Invoice
from budgets.services.billing import BillingParties
from projects.models import Project
from songs.models import Song

PLAN = {
    "pre_production": "1200.00",
    "studio_time": "9000.00",
    "engineers": "2500.00",
    "musicians": "4000.00",
    "vocalists": "800.00",
    "mixing": "3500.00",
    "mastering": "900.00",
    "equipment_rental": "600.00",
    "travel": "700.00",
    "artwork": "1200.00",
    "marketing": "2000.00",
    "contingency": "0.00",
}
COSTS = [
    # category, vendor, days ago, description, amount, currency, rate, paid, recoupable
    ("travel", "Northline Rail", 20, "Band travel to Hamburg", "486.40", "EUR", None, True, True),
    (
        "equipment_rental",
        "Backline Hire Co.",
        6,
        "Vintage drum kit, 2 days",
        "380.00",
        "GBP",
        "1.1523",
        False,
        False,
    ),
    (
        "artwork",
        "Studio Kestrel Design",
        3,
        "Cover concept sketches",
        "650.00",
        "EUR",
        None,
        False,
        True,
    ),
]


# Who bills whom, on the demo's invoice and on its billing plan's drafts.
PARTIES: BillingParties = {
    "issuer_name": "Harbour Lane Productions",
    "issuer_address": "Harbour Lane 12\n20457 Hamburg\nGermany",
    "issuer_vat": "DE136695976",
    "issuer_iban": "DE89370400440532013000",
    "recipient_name": "Driftwood Records",
    "recipient_address": "Quay Street 4\nBristol BS1\nUnited Kingdom",
    "recipient_email": "accounts@example.com",
}
# The common deal: a mix (and a master) paid per song. Song title, vendor, what, amount, paid.
SONG_FEES = [
    ("Breakwater", "Tidewater Mixing", "Mix, per song", "450.00", False),
    ("Gull Song", "Tidewater Mixing", "Mix, per song", "450.00", True),
    ("Gull Song", "North Pier Mastering", "Master, per song", "120.00", True),
]
# Four quarters of the fee. The deposit is reached when the plan has it (its invoice drafted);
# tracking waits for the songs still in pre-production and tracking.
MILESTONES = [
    ("deposit", "Deposit"),
    ("tracking_done", "Tracking done"),
    ("mix_approved", "Mixes approved"),
    ("master_delivered", "Masters delivered"),
]


def load(*, by: Any) -> None:
    project = Project.objects.filter(title="Low Tide Sessions").first()
    if project is None:
        return
    _budget(project)
    _song_fees(project)
    _billing_plan(project)


def _song_fees(project: Project) -> None:
    """Mixing and mastering fees tagged with their songs (found again by vendor and song)."""
    today = timezone.localdate()
    songs = {song.title: song for song in Song.objects.filter(project=project)}
    for title, vendor, description, amount, paid in SONG_FEES:
        song = songs.get(title)
        if song is None or Cost.objects.filter(project=project, vendor=vendor, song=song).exists():
            continue
        services.cost_save(
            project=project,
            amount=Decimal(amount),
            currency=project.currency,
            category="mastering" if "Master" in description else "mixing",
            vendor=vendor,
            date=today - datetime.timedelta(days=2),
            description=f"{description}: {title}",
            status="paid" if paid else "committed",
            song=song,
        )


def _billing_plan(project: Project) -> None:
    if BillingPlan.objects.filter(project=project).exists():
        return
    plan = services.billing_plan_create(
        project=project,
        total_fee=Decimal("12000.00"),
        tax_rate=Decimal(19),
        **PARTIES,
    )
    for position, (kind, label) in enumerate(MILESTONES):
        services.billing_milestone_save(
            plan=plan, kind=kind, label=label, percent=Decimal(25), position=position
        )


def _budget(project: Project) -> None:
    if Budget.objects.filter(project=project).exists():
        return
    budget = services.budget_create(project=project, notes="First plan with the label.")
    for line in budget.lines.all():
        services.budget_line_save(budget=budget, line=line, planned=Decimal(PLAN[line.category]))
    services.budget_approve(budget=budget)
    services.budget_create(project=project, notes="Re-forecast after tracking.")
    today = timezone.localdate()
    for category, vendor, ago, description, amount, currency, rate, paid, recoupable in COSTS:
        services.cost_save(
            project=project,
            amount=Decimal(amount),
            currency=currency,
            exchange_rate=Decimal(rate) if rate else None,
            category=category,
            vendor=vendor,
            date=today - datetime.timedelta(days=ago),
            description=description,
            status="paid" if paid else "committed",
            recoupable=recoupable,
        )
    if not Invoice.objects.filter(project=project).exists():
        invoice = services.invoice_create(
            project=project,
            issuer_name="Harbour Lane Productions",
            issuer_address="Harbour Lane 12\n20457 Hamburg\nGermany",
            issuer_vat="DE136695976",
            issuer_iban="DE89370400440532013000",
            recipient_name="Driftwood Records",
            recipient_address="Quay Street 4\nBristol BS1\nUnited Kingdom",
            recipient_email="accounts@example.com",
        )
        for description, quantity, price, rate in [
            ("Production fee, first instalment", "1", "2500.00", "19"),
            ("Studio A lockout days", "2", "780.00", "19"),
        ]:
            services.invoice_line_save(
                invoice=invoice,
                description=description,
                quantity=Decimal(quantity),
                unit_price=Decimal(price),
                tax_rate=Decimal(rate),
            )
        services.invoice_issue(invoice=invoice)
