"""Budgets: versions from the template, frozen approvals, costs, and the derived report."""

import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from budgets.models import Budget, Cost
from projects.models import Project, Role
from sessions import services as session_services
from sessions.models import RateRule
from studio import services as studio_services
from tests.conftest import api_client_for
from tests.factories import (
    MembershipFactory,
    PersonFactory,
    RoomFactory,
    StudioFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def budget(as_owner: APIClient, project: Project) -> dict[str, Any]:
    response = as_owner.post("/api/v1/budgets/", {"project": project.pk}, format="json")
    assert response.status_code == 201, response.json()
    return dict(response.json())


def lines(client: APIClient, budget_id: int) -> list[dict[str, Any]]:
    return list(
        client.get("/api/v1/budget-lines/", {"budget": budget_id, "page_size": 100}).json()[
            "results"
        ]
    )


def plan(client: APIClient, budget_id: int, amounts: dict[str, str]) -> None:
    for line in lines(client, budget_id):
        if line["category"] in amounts:
            response = client.patch(
                f"/api/v1/budget-lines/{line['id']}/",
                {"planned": amounts[line["category"]]},
                format="json",
            )
            assert response.status_code == 200, response.json()


def test_new_budget_starts_from_the_template(as_owner: APIClient, budget: dict[str, Any]) -> None:
    assert (budget["version"], budget["currency"], budget["contingency_percent"]) == (
        1,
        "EUR",
        "10.00",
    )
    assert [line["category"] for line in lines(as_owner, budget["id"])] == [
        "pre_production",
        "studio_time",
        "engineers",
        "musicians",
        "vocalists",
        "mixing",
        "mastering",
        "equipment_rental",
        "travel",
        "artwork",
        "marketing",
        "contingency",
    ]


def test_approved_version_is_a_snapshot(
    as_owner: APIClient, project: Project, budget: dict[str, Any]
) -> None:
    plan(as_owner, budget["id"], {"studio_time": "5000.00"})
    assert as_owner.post(f"/api/v1/budgets/{budget['id']}/approve/").json()["approved_at"]
    line = next(line for line in lines(as_owner, budget["id"]) if line["category"] == "studio_time")
    frozen = as_owner.patch(
        f"/api/v1/budget-lines/{line['id']}/", {"planned": "1.00"}, format="json"
    )
    assert frozen.status_code == 409
    assert "approved" in frozen.json()["detail"]
    assert as_owner.delete(f"/api/v1/budget-lines/{line['id']}/").status_code == 409
    assert as_owner.post(f"/api/v1/budgets/{budget['id']}/approve/").status_code == 409
    second = as_owner.post("/api/v1/budgets/", {"project": project.pk}, format="json").json()
    assert second["version"] == 2
    copied = next(
        line for line in lines(as_owner, second["id"]) if line["category"] == "studio_time"
    )
    assert copied["planned"] == "5000.00"
    assert (
        as_owner.patch(
            f"/api/v1/budget-lines/{copied['id']}/", {"planned": "6000.00"}, format="json"
        ).status_code
        == 200
    )


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"amount": "10.123"}, "amount"),
        ({"amount": "-5"}, "amount"),
        ({"currency": "XXY"}, "currency"),
        ({"currency": "USD"}, "exchange_rate"),  # a foreign cost needs its rate
        ({"exchange_rate": "1.1"}, "exchange_rate"),  # a home cost has none
        ({"currency": "JPY", "amount": "1500.5", "exchange_rate": "0.006"}, "amount"),
        ({"category": "snacks"}, "category"),
        ({"date": "2031-01-01"}, "date"),
    ],
)
def test_bad_costs(
    as_owner: APIClient, project: Project, payload: dict[str, Any], field: str
) -> None:
    body = {
        "project": project.pk,
        "category": "travel",
        "vendor": "Rail",
        "date": "2026-11-20",
        "amount": "120.00",
        "currency": "EUR",
        **payload,
    }
    response = as_owner.post("/api/v1/costs/", body, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert not Cost.objects.exists()


def test_foreign_cost_keeps_its_rate(as_owner: APIClient, project: Project) -> None:
    response = as_owner.post(
        "/api/v1/costs/",
        {
            "project": project.pk,
            "category": "equipment_rental",
            "vendor": "Amp Hire",
            "date": "2026-11-20",
            "amount": "250.00",
            "currency": "USD",
            "exchange_rate": "0.921345",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["amount_converted"] == "230.34"


def test_receipt_is_checked_by_content(as_owner: APIClient, project: Project) -> None:
    base = {
        "project": project.pk,
        "category": "artwork",
        "vendor": "Print Shop",
        "date": "2026-11-20",
        "amount": "80.00",
        "currency": "EUR",
    }
    fake = SimpleUploadedFile(
        "receipt.pdf", b"<html>not a receipt</html>", content_type="application/pdf"
    )
    refused = as_owner.post("/api/v1/costs/", {**base, "receipt": fake}, format="multipart")
    assert refused.status_code == 400
    assert "receipt" in refused.json()
    real = SimpleUploadedFile("scan.bin", PDF, content_type="application/octet-stream")
    accepted = as_owner.post("/api/v1/costs/", {**base, "receipt": real}, format="multipart")
    assert accepted.status_code == 201, accepted.json()
    assert Cost.objects.get().receipt.read() == PDF


def test_money_is_need_to_know(
    as_collaborator: APIClient, as_outsider: APIClient, project: Project, budget: dict[str, Any]
) -> None:
    for client in (as_collaborator, as_outsider):
        assert client.get(f"/api/v1/budgets/{budget['id']}/").status_code == 404
        assert client.get(f"/api/v1/budgets/{budget['id']}/report/").status_code == 404
        assert client.get("/api/v1/costs/").json()["count"] == 0
    assert (
        as_collaborator.post("/api/v1/budgets/", {"project": project.pk}, format="json").status_code
        == 403
    )
    assert (
        as_outsider.post("/api/v1/budgets/", {"project": project.pk}, format="json").status_code
        == 404
    )
    accountant = UserFactory.create()
    MembershipFactory.create(project=project, user=accountant, role=Role.ACCOUNTANT)
    assert (
        api_client_for(accountant).get(f"/api/v1/budgets/{budget['id']}/report/").status_code == 200
    )


def test_report_derives_committed_and_actual(
    as_owner: APIClient,
    owner: Any,
    project: Project,
    budget: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    django_assert_max_num_queries: Any,
) -> None:
    monkeypatch.setattr(
        timezone, "now", lambda: datetime.datetime(2026, 11, 1, 9, tzinfo=datetime.UTC)
    )
    plan(
        as_owner,
        budget["id"],
        {"studio_time": "1000.00", "musicians": "500.00", "travel": "100.00"},
    )
    studio = StudioFactory.create(managers=[owner])
    room = RoomFactory.create(
        studio=studio, hourly_rate=Decimal(50), half_day_rate=Decimal(200), day_rate=Decimal(400)
    )
    start = datetime.datetime(2026, 12, 3, 10, tzinfo=BERLIN)
    studio_services.booking_create(
        by=owner,
        room=room,
        project=project,
        start=start,
        end=start + datetime.timedelta(hours=10),
        status="confirmed",
    )
    [soon] = studio_services.booking_create(
        by=owner,
        room=room,
        project=project,
        start=datetime.datetime(2026, 11, 2, 10, tzinfo=BERLIN),
        end=datetime.datetime(2026, 11, 2, 20, tzinfo=BERLIN),
        status="confirmed",
    )
    studio_services.booking_cancel(booking=soon)  # under 3 days' notice: the full 400.00
    session = session_services.session_create(
        project=project,
        room=room,
        title="Strings",
        start=start,
        end=start + datetime.timedelta(hours=6),
    )
    rule = RateRule.objects.create(
        project=project, name="Flat", kind="flat", currency="EUR", params={"fee": "300"}
    )
    for name, role in [
        ("Approved Player", "musician"),
        ("Paid Player", "musician"),
        ("Pending Singer", "vocalist"),
    ]:
        person = PersonFactory.create(name=name, projects=[project])
        engagement = session_services.engagement_save(
            session=session, person=person, rate_rule=rule, role=role, hours=Decimal(3)
        )
        if name != "Pending Singer":
            payment = session_services.payment_approve(payment=engagement.payment, by=owner)
            if name == "Paid Player":
                session_services.payment_pay(
                    payment=payment, paid_on=datetime.date(2026, 12, 4), method="bank_transfer"
                )
    as_owner.post(
        "/api/v1/costs/",
        {
            "project": project.pk,
            "category": "travel",
            "vendor": "Rail",
            "date": "2026-10-20",
            "amount": "150.00",
            "currency": "EUR",
            "status": "paid",
            "recoupable": True,
        },
        format="json",
    )

    # the budget, its lines and the compared ones, bookings, payments, costs
    with django_assert_max_num_queries(5):
        report = as_owner.get(f"/api/v1/budgets/{budget['id']}/report/").json()
    rows = {row["category"]: row for row in report["rows"]}
    assert {
        k: rows["studio_time"][k]
        for k in ("planned", "committed", "actual", "forecast", "variance")
    } == {
        "planned": "1000.00",
        "committed": "400.00",
        "actual": "400.00",
        "forecast": "1000.00",
        "variance": "0.00",
    }
    assert (rows["musicians"]["committed"], rows["musicians"]["actual"]) == ("300.00", "300.00")
    assert rows["vocalists"]["committed"] == "0.00"  # a pending payment is not committed yet
    assert (rows["travel"]["actual"], rows["travel"]["variance"], rows["travel"]["recoupable"]) == (
        "150.00",
        "-50.00",
        "150.00",
    )
    assert report["total"]["planned"] == "1600.00"
    # 1000 + 600 (musicians over by 100) + 150 (travel over by 50); the ceiling is 1760.
    assert report["warnings"] == ["The forecast (1750.00 EUR) passes the plan (1600.00)."]
    assert rows["musicians"]["variance"] == "-100.00"
    # The total adds the categories' forecasts: travel's overspend is not hidden by studio slack.
    assert (report["total"]["forecast"], report["total"]["variance"]) == ("1750.00", "-150.00")
    assert Budget.objects.get(pk=budget["id"]).lines.count() == 12


def test_warning_past_the_contingency(
    as_owner: APIClient, project: Project, budget: dict[str, Any]
) -> None:
    plan(as_owner, budget["id"], {"travel": "100.00"})
    as_owner.post(
        "/api/v1/costs/",
        {
            "project": project.pk,
            "category": "travel",
            "vendor": "Flights",
            "date": "2026-11-20",
            "amount": "111.00",
            "currency": "EUR",
        },
        format="json",
    )
    report = as_owner.get(f"/api/v1/budgets/{budget['id']}/report/").json()
    assert report["warnings"] == [
        "The forecast (111.00 EUR) passes the plan with its contingency (110.00)."
    ]
    assert report["rows"][8]["committed"] == "111.00"


def test_compare_with_the_approved_version_and_csv(
    as_owner: APIClient, project: Project, budget: dict[str, Any]
) -> None:
    plan(as_owner, budget["id"], {"mixing": "800.00"})
    as_owner.post(f"/api/v1/budgets/{budget['id']}/approve/")
    second = as_owner.post("/api/v1/budgets/", {"project": project.pk}, format="json").json()
    plan(as_owner, second["id"], {"mixing": "1200.00"})
    report = as_owner.get(f"/api/v1/budgets/{second['id']}/report/").json()
    assert report["compared_with"] == budget["id"]
    mixing = next(row for row in report["rows"] if row["category"] == "mixing")
    assert (mixing["planned"], mixing["compared_planned"]) == ("1200.00", "800.00")
    assert (
        as_owner.get(f"/api/v1/budgets/{second['id']}/report/", {"compare": "x"}).status_code == 400
    )
    assert (
        as_owner.get(f"/api/v1/budgets/{second['id']}/report/", {"compare": 999999}).status_code
        == 400
    )
    response = as_owner.get(f"/api/v1/budgets/{second['id']}/report/csv/")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines_ = response.content.decode().splitlines()
    assert lines_[0].startswith("category,planned,compared_planned,committed")
    assert "mixing,1200.00,800.00,0.00,0.00,1200.00,1200.00,0.00,0.00" in lines_
    assert lines_[-1].startswith("total,1200.00,800.00")


def test_costs_csv(as_owner: APIClient, as_outsider: APIClient, project: Project) -> None:
    as_owner.post(
        "/api/v1/costs/",
        {
            "project": project.pk,
            "category": "travel",
            "vendor": "Rail, Ltd",
            "date": "2026-11-20",
            "amount": "120.00",
            "currency": "EUR",
        },
        format="json",
    )
    body = as_owner.get("/api/v1/costs/export/", {"category": "travel"}).content.decode()
    assert (
        body.splitlines()[1]
        == '2026-11-20,"Rail, Ltd",travel,,120.00,EUR,1.000000,120.00,committed,False'
    )
    assert len(as_outsider.get("/api/v1/costs/export/").content.decode().splitlines()) == 1


def test_burn_down(as_owner: APIClient, project: Project, budget: dict[str, Any]) -> None:
    for day, amount in [("2026-09-10", "100.00"), ("2026-09-20", "50.00"), ("2026-11-02", "25.00")]:
        as_owner.post(
            "/api/v1/costs/",
            {
                "project": project.pk,
                "category": "travel",
                "vendor": "Rail",
                "date": day,
                "amount": amount,
                "currency": "EUR",
                "status": "paid",
            },
            format="json",
        )
    as_owner.post(
        "/api/v1/costs/",
        {
            "project": project.pk,
            "category": "travel",
            "vendor": "Ordered",
            "date": "2026-10-01",
            "amount": "999.00",
            "currency": "EUR",
        },
        format="json",
    )
    points = as_owner.get(f"/api/v1/budgets/{budget['id']}/burn-down/").json()
    assert points == [
        {"day": "2026-09-01", "spent": "150.00"},
        {"day": "2026-11-01", "spent": "175.00"},
    ]
