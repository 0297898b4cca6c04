"""The project list API (100 rows a page, 10,000 projects) against a bare JsonResponse view."""

import os

from django.contrib.auth.models import User
from django.test import Client, override_settings
from rest_framework.authtoken.models import Token

from bench.harness import measure, ratio
from projects.models import Membership, Project, Role

PROJECTS = 10_000
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))


def seed() -> str:
    user = User.objects.create_user("bench-producer")
    projects = Project.objects.bulk_create(
        Project(title=f"Record {i}", artist=f"Band {i % 300}", client="Bench Records")
        for i in range(PROJECTS)
    )
    Membership.objects.bulk_create(
        Membership(project=p, user=user, role=Role.PRODUCER) for p in projects
    )
    return Token.objects.create(user=user).key


@override_settings(ROOT_URLCONF="bench.urls", DEBUG=False)
def run() -> None:
    key = seed()
    client = Client(HTTP_AUTHORIZATION=f"Token {key}")

    def api() -> None:
        response = client.get("/api/v1/projects/", {"page_size": 100})
        body = response.json()
        assert response.status_code == 200 and body["count"] == PROJECTS
        assert len(body["results"]) == 100

    def bare() -> None:
        response = client.get("/bench/bare-projects/")
        assert response.status_code == 200 and len(response.json()["results"]) == 100

    print(f"  {PROJECTS} projects, 100 a page, {REQUESTS} requests each")
    ours = measure("API /api/v1/projects/", api, repeat=REQUESTS)
    baseline = measure("bare JsonResponse of values()", bare, repeat=REQUESTS)
    print(ours.row())
    print(baseline.row())
    print(ratio("API time / bare time", ours, baseline))
