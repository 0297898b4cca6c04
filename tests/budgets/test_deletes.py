"""Deleting costs (cost_delete: the receipt's file goes after the commit) and draft invoices
(invoice_delete: an issued one never goes) from the API, the pages and the admin."""

from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from rest_framework.test import APIClient

from budgets import services
from budgets.models import Cost, Invoice, InvoiceLine
from budgets.models.billing import BillingMilestone
from projects.models import Project, Role
from tests.budgets.test_billing import plan  # noqa: F401  (a fixture)
from tests.budgets.test_invoices import draft
from tests.clock import today
from tests.conftest import api_client_for
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def cost(project: Project) -> Cost:
    return services.cost_save(
        project=project,
        amount=Decimal("42.00"),
        currency="EUR",
        category="travel",
        vendor="Night Bus",
        date=today(),
        receipt=SimpleUploadedFile("ticket.pdf", PDF),
    )


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- costs --------------------------------------------------------------------------------------


def test_cost_delete_removes_its_receipt_after_the_commit(
    as_owner: APIClient, cost: Cost, django_capture_on_commit_callbacks: Any
) -> None:
    receipt = cost.receipt.name
    assert default_storage.exists(receipt)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = as_owner.delete(f"/api/v1/costs/{cost.pk}/")

    assert response.status_code == 204
    assert len(callbacks) == 1
    assert not Cost.objects.filter(pk=cost.pk).exists()
    assert not default_storage.exists(receipt)


def test_a_cost_delete_rolled_back_keeps_its_receipt(
    cost: Cost, django_capture_on_commit_callbacks: Any
) -> None:
    receipt = cost.receipt.name

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.cost_delete(cost=cost)
            raise RuntimeError("a later step of the same transaction failed")

    assert callbacks == []
    assert Cost.objects.filter(pk=cost.pk).exists()
    assert default_storage.exists(receipt)


def test_the_cost_page_and_the_admin_delete_through_the_service(
    owner: Any, project: Project, cost: Cost, django_capture_on_commit_callbacks: Any
) -> None:
    other = services.cost_save(
        project=project,
        amount=Decimal("9.50"),
        currency="EUR",
        category="travel",
        vendor="Ferry",
        date=today(),
        receipt=SimpleUploadedFile("ferry.pdf", PDF),
    )
    receipts = [cost.receipt.name, other.receipt.name]
    root = UserFactory.create(username="root", is_staff=True, is_superuser=True)

    with django_capture_on_commit_callbacks(execute=True):
        page = signed_in(owner).post(f"/costs/{cost.pk}/delete/")
    with django_capture_on_commit_callbacks(execute=True):
        admin = signed_in(root).post(f"/admin/budgets/cost/{other.pk}/delete/", {"post": "yes"})

    assert (page.status_code, admin.status_code) == (302, 302)
    assert not Cost.objects.exists()
    assert [default_storage.exists(name) for name in receipts] == [False, False]


def test_who_may_delete_a_cost(
    as_collaborator: APIClient, as_outsider: APIClient, cost: Cost
) -> None:
    # Money is need-to-know: a viewer does not see costs (and every role that sees them may
    # manage them, so there is no 403 here, only the 404 of the unseen).
    assert as_collaborator.delete(f"/api/v1/costs/{cost.pk}/").status_code == 404
    assert as_outsider.delete(f"/api/v1/costs/{cost.pk}/").status_code == 404
    assert Cost.objects.filter(pk=cost.pk).exists()
    assert default_storage.exists(cost.receipt.name)


# --- invoices -----------------------------------------------------------------------------------


def test_a_draft_invoice_is_deleted_with_its_lines(as_owner: APIClient, project: Project) -> None:
    invoice = draft(project)

    assert as_owner.delete(f"/api/v1/invoices/{invoice.pk}/").status_code == 204
    assert not Invoice.objects.filter(pk=invoice.pk).exists()
    assert not InvoiceLine.objects.exists()


def test_a_milestones_deleted_draft_leaves_it_reached(
    as_owner: APIClient,
    plan: Any,  # noqa: F811
) -> None:
    deposit = services.billing_milestone_save(
        plan=plan, kind="deposit", label="Deposit", percent=Decimal(30)
    )
    assert deposit.invoice is not None

    assert as_owner.delete(f"/api/v1/invoices/{deposit.invoice.pk}/").status_code == 204
    deposit = BillingMilestone.objects.get(pk=deposit.pk)
    assert deposit.reached_at is not None and deposit.invoice is None


def test_an_issued_invoice_is_never_deleted(as_owner: APIClient, project: Project) -> None:
    invoice = services.invoice_issue(invoice=draft(project))

    response = as_owner.delete(f"/api/v1/invoices/{invoice.pk}/")

    assert response.status_code == 409
    assert response.json() == {
        "detail": f"Invoice {invoice.number} is issued: it is never deleted. Correct it with a "
        "credit note."
    }
    assert Invoice.objects.get(pk=invoice.pk).lines.count() == 3


def test_who_may_delete_an_invoice(
    as_collaborator: APIClient, as_outsider: APIClient, project: Project
) -> None:
    invoice = draft(project)
    # A manager sees the money but does not draft invoices (invoices.manage).
    manager = UserFactory.create(username="manager")
    MembershipFactory.create(project=project, user=manager, role=Role.MANAGER)

    refused = api_client_for(manager).delete(f"/api/v1/invoices/{invoice.pk}/")

    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "Your role on this project may not do this (invoices.manage)."
    )
    assert as_collaborator.delete(f"/api/v1/invoices/{invoice.pk}/").status_code == 404
    assert as_outsider.delete(f"/api/v1/invoices/{invoice.pk}/").status_code == 404
    assert Invoice.objects.filter(pk=invoice.pk).exists()


def test_the_admin_deletes_drafts_through_the_service_and_never_an_issued_one(
    project: Project,
) -> None:
    issued = services.invoice_issue(invoice=draft(project))
    drafts = [draft(project), draft(project)]
    admin = signed_in(UserFactory.create(username="root", is_staff=True, is_superuser=True))

    def delete_selected(*invoices: Invoice) -> Any:
        return admin.post(
            "/admin/budgets/invoice/",
            {"action": "delete_selected", "_selected_action": [i.pk for i in invoices], "post": 1},
        )

    # The admin's own permission (has_delete_permission) refuses a selection with an issued
    # invoice before anything is deleted; invoice_delete would refuse it too.
    assert delete_selected(issued, drafts[0]).status_code == 403
    assert Invoice.objects.count() == 3
    with mock.patch.object(services, "invoice_delete", wraps=services.invoice_delete) as spy:
        assert delete_selected(*drafts).status_code == 302
    assert sorted(call.kwargs["invoice"].pk for call in spy.call_args_list) == [
        d.pk for d in drafts
    ]
    assert list(Invoice.objects.all()) == [issued]
    assert LogEntry.objects.filter(action_flag=DELETION).count() == 2
