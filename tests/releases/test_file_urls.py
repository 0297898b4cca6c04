"""Media are private: API answers and the admin name the views that serve a file after
checking who asks, never a /media/ URL (which answers 404)."""

import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from budgets import services as budget_services
from projects.models import Project
from releases.models import Deliverable, Release
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def no_media(body: Any) -> None:
    assert "/media/" not in json.dumps(body)


def test_cover_and_master_urls_serve_the_files(
    as_owner: APIClient, as_outsider: APIClient, ready_release: Release
) -> None:
    artwork = ready_release.artwork
    cover = as_owner.post(
        f"/api/v1/releases/{ready_release.pk}/artwork/",
        {"image": SimpleUploadedFile("cover.jpg", artwork.image.open("rb").read())},
        format="multipart",
    ).json()
    no_media(cover)
    base = f"http://testserver/api/v1/releases/{ready_release.pk}/artwork"
    assert (cover["image"], cover["thumbnail"]) == (f"{base}/image/", f"{base}/thumbnail/")
    artwork.refresh_from_db()
    image = as_owner.get(cover["image"])
    assert (image.status_code, image["Content-Type"]) == (200, "image/jpeg")
    assert image.getvalue() == artwork.image.open("rb").read()
    thumbnail = as_owner.get(cover["thumbnail"])
    assert thumbnail.getvalue() == artwork.thumbnail.open("rb").read()
    assert as_outsider.get(cover["image"]).status_code == 404

    track = ready_release.tracks.get(position=1)
    master = as_owner.get(f"/api/v1/tracks/{track.pk}/master/").json()
    no_media(master)
    assert master["file"] == f"http://testserver/api/v1/tracks/{track.pk}/master/file/"
    served = as_owner.get(master["file"])
    assert served.status_code == 200
    assert served.getvalue() == track.master.file.open("rb").read()
    assert as_outsider.get(master["file"]).status_code == 404


def test_deliverable_url_is_its_download(as_owner: APIClient, ready_release: Release) -> None:
    track = ready_release.tracks.get(position=1)
    deliverable = Deliverable(
        track=track, target="mp3", key="k", size=3, sha256="0" * 64, md5="0" * 32, sample_rate=1
    )
    deliverable.file.save("release/01.mp3", ContentFile(b"ID3"), save=True)
    [row] = as_owner.get("/api/v1/deliverables/").json()["results"]
    no_media(row)
    assert row["file"] == f"http://testserver/api/v1/deliverables/{deliverable.pk}/download/"
    assert as_owner.get(row["file"]).getvalue() == b"ID3"


def test_admin_links_to_its_own_file_view(ready_release: Release) -> None:
    admin = Client()
    admin.force_login(UserFactory.create(is_staff=True, is_superuser=True))
    artwork = ready_release.artwork
    page = admin.get(f"/admin/releases/artwork/{artwork.pk}/change/").content.decode()
    assert "/media/" not in page
    url = f"/admin/releases/artwork/{artwork.pk}/file/image/"
    assert f'href="{url}"' in page
    assert admin.get(url).getvalue() == artwork.image.open("rb").read()
    master = ready_release.tracks.get(position=1).master
    page = admin.get(f"/admin/releases/master/{master.pk}/change/").content.decode()
    assert "/media/" not in page and f"/admin/releases/master/{master.pk}/file/file/" in page
    assert admin.get(f"/admin/releases/master/{master.pk}/file/secret/").status_code == 404
    staff = Client()  # staff without the view permission
    staff.force_login(UserFactory.create(username="staff", is_staff=True))
    assert staff.get(url).status_code == 403


def test_receipt_and_invoice_pdf_urls(as_owner: APIClient, project: Project) -> None:
    cost = as_owner.post(
        "/api/v1/costs/",
        {
            "project": project.pk,
            "category": "artwork",
            "vendor": "Print Shop",
            "date": "2026-11-20",
            "amount": "80.00",
            "currency": "EUR",
            "receipt": SimpleUploadedFile("r.pdf", PDF, content_type="application/pdf"),
        },
        format="multipart",
    ).json()
    no_media(cost)
    assert cost["receipt"] == f"http://testserver/costs/{cost['id']}/receipt/"
    invoice = budget_services.invoice_create(
        project=project,
        issuer_name="Harbour Lane Productions",
        issuer_address="1 Quay Street\nBristol",
        recipient_name="Driftwood Records",
        recipient_address="2 Dock Road\nLeeds",
    )
    budget_services.invoice_line_save(
        invoice=invoice,
        description="Lockout day",
        quantity=Decimal(1),
        unit_price=Decimal("780.00"),
        tax_rate=Decimal(19),
    )
    url = f"/api/v1/invoices/{invoice.pk}/"
    assert as_owner.get(url).json()["pdf"] is None
    budget_services.invoice_issue(invoice=invoice)
    body = as_owner.get(url).json()
    no_media(body)
    assert body["pdf"] == f"http://testserver/api/v1/invoices/{invoice.pk}/pdf/"
    assert as_owner.get(body["pdf"]).status_code == 200
