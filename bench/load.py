"""Locust's users for the load benchmark: producers going about their day.

Run by bench/load_run.py (`make bench-load`), which seeds the database and passes the
accounts it made in ``LOAD_ACCOUNTS`` (a JSON list: username, password, API token, feed
token, the ids of the user's project, session, budget and room, and where its writes start).

Each user signs in through the login form, then, with one to three seconds to think between
steps, mostly reads (the dashboard, a week or month of the calendar, the session sheet, the
budget report, its calendar feed polled as calendar apps do, half of the time with the ETag of
its last poll) and now and then places a hold in a slot of its own.
"""

from __future__ import annotations

import datetime
import itertools
import json
import os
import re
import time
from typing import Any

from locust import HttpUser, between, events, task

with open(os.environ["LOAD_ACCOUNTS"]) as accounts_file:
    ACCOUNTS: list[dict[str, Any]] = json.load(accounts_file)

# Every request as (finished at, type, name, ms, failed), written to LOAD_SAMPLES at the end:
# Locust's own statistics cover the whole run, and bench/load_run.py also wants the part
# after the last sign-in (50 PBKDF2 checks in the first seconds load the server like nothing
# after them).
SAMPLES: list[tuple[float, str, str, float, bool]] = []


@events.request.add_listener
def _record(request_type: str, name: str, response_time: float, exception: Any, **_: Any) -> None:
    SAMPLES.append((time.time(), request_type, name, response_time, exception is not None))


@events.quit.add_listener
def _write_samples(**_: Any) -> None:
    with open(os.environ["LOAD_SAMPLES"], "w") as out:
        json.dump(SAMPLES, out)


_next_account = itertools.count()
CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
SLOT = datetime.timedelta(hours=3)  # a 2-hour hold every 3 hours of the user's own span


class Producer(HttpUser):
    wait_time = between(1, 3)

    def on_start(self) -> None:
        # One account per simulated user; past the seeded accounts they are shared.
        self.account = ACCOUNTS[next(_next_account) % len(ACCOUNTS)]
        self.api = {"Authorization": f"Token {self.account['token']}"}
        self.etag: str | None = None
        self.polls = 0
        self.views = 0
        self.writes = 0
        form = self.client.get("/login/", name="/login/")
        found = CSRF_FIELD.search(form.content)
        assert found, "no CSRF token on /login/"
        with self.client.post(
            "/login/",
            data={
                "username": self.account["username"],
                "password": self.account["password"],
                "csrfmiddlewaretoken": found.group(1).decode(),
                "next": "/",
            },
            allow_redirects=False,
            name="/login/",
            catch_response=True,
        ) as response:
            # A signed-in user is sent on; a refused one gets the form again (200).
            if response.status_code != 302:
                response.failure(f"sign-in refused: {response.status_code}")

    @task(4)
    def dashboard(self) -> None:
        self.client.get("/", name="/ (dashboard)")

    @task(4)
    def calendar(self) -> None:
        # What FullCalendar asks for: a week, or a month view's six weeks, in wall-clock time.
        today = datetime.datetime.now(datetime.UTC).date()
        monday = today - datetime.timedelta(days=today.weekday())
        self.views += 1
        week = self.views % 4
        start = monday + datetime.timedelta(weeks=week)
        end = start + datetime.timedelta(days=42 if week % 2 else 7)
        self.client.get(
            f"/calendar/events/?start={start}T00:00:00&end={end}T00:00:00",
            name="/calendar/events/",
        )

    @task(2)
    def session_sheet(self) -> None:
        self.client.get(f"/sessions/{self.account['session']}/", name="/sessions/[id]/")

    @task(2)
    def budget_report(self) -> None:
        self.client.get(
            f"/api/v1/budgets/{self.account['budget']}/report/",
            headers=self.api,
            name="/api/v1/budgets/[id]/report/",
        )

    @task(4)
    def feed_poll(self) -> None:
        self.polls += 1
        path = f"/feeds/{self.account['feed']}.ics"
        if self.polls % 2 and self.etag:
            response = self.client.get(
                path,
                headers={"If-None-Match": self.etag},
                name="/feeds/[token].ics (If-None-Match)",
            )
        else:
            response = self.client.get(path, name="/feeds/[token].ics")
        self.etag = response.headers.get("ETag", self.etag)

    @task(2)
    def booking_write(self) -> None:
        first = datetime.datetime.fromisoformat(self.account["write_from"])
        start = first + SLOT * self.writes
        self.writes += 1
        with self.client.post(
            "/api/v1/bookings/",
            json={
                "room": self.account["room"],
                "project": self.account["project"],
                "start": start.isoformat(),
                "end": (start + datetime.timedelta(hours=2)).isoformat(),
                "title": f"Overdubs {self.writes}",
            },
            headers=self.api,
            name="/api/v1/bookings/",
            catch_response=True,
        ) as response:
            if response.status_code == 201:
                response.success()
            elif response.status_code == 409:
                # A real collision is the service doing its job, not an error; by design there
                # are none, so they are counted apart (bench/load_run.py reports them).
                response.success()
                self.environment.events.request.fire(
                    request_type="COLLISION",
                    name="/api/v1/bookings/",
                    response_time=0,
                    response_length=0,
                    exception=None,
                    context={},
                )
            else:
                response.failure(f"{response.status_code}: {response.text[:200]}")
