"""The load benchmark (`make bench-load`): 50 producers against gunicorn on PostgreSQL.

Creates a throwaway database, migrates and seeds it, serves it with gunicorn (4 sync workers,
DEBUG off, tasks in-process), drives it with Locust (bench/load.py) for 60 seconds, prints
requests per second, p50/p95/p99 and errors per endpoint and in total, then drops the database.
Goal: p95 under 300 ms and no errors over the producer's mix.

Unlike bench/run.py this measures the whole stack (HTTP, gunicorn, PostgreSQL, the cache), so
it needs a PostgreSQL server (``LOAD_DATABASE_SERVER``, default the local one with the
``postgres`` user) and a Redis for the shared cache (``LOAD_CACHE_URL``). Run it alone: Locust,
gunicorn and PostgreSQL share the machine's cores, and anything else running skews the figures.
"""

from __future__ import annotations

import datetime
import json
import math
import os
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERVER = os.environ.get("LOAD_DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432")
DATABASE = os.environ.get("LOAD_DATABASE_NAME", "tracksheet_load")
# Redis database 13: the test services use 14 and 15. Keys carry a per-run prefix and are
# deleted afterwards.
CACHE_SERVER = os.environ.get("LOAD_CACHE_URL", "redis://127.0.0.1:6379/13")
USERS = int(os.environ.get("LOAD_USERS", "50"))
SPAWN_RATE = os.environ.get("LOAD_SPAWN_RATE", "10")
DURATION = os.environ.get("LOAD_DURATION", "60s")
WORKERS = os.environ.get("LOAD_WORKERS", "4")
GOAL_P95_MS = 300

PROJECTS = max(1, math.ceil(USERS / 5))  # five producers on each production
ROOMS = 10
PASSWORD = "load-" + secrets.token_hex(8)
# Locust's name for the sign-in: once per user, in on_start, so not part of the mix.
SIGN_IN = {"/login/"}
COLLISION = "COLLISION"  # bench/load.py's event type for a 409 on a booking write


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def admin_sql(*statements: str) -> None:
    """Statements on the server's maintenance database (CREATE/DROP DATABASE cannot run in a
    transaction)."""
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)


# --- seed -------------------------------------------------------------------------------------


def seed(*, out: Path) -> None:
    """A studio with ten rooms and gear, ten productions of five producers each, their studio
    days (two months back, a month ahead), a session with players, takes and gear checks on
    each, a budget with 300 costs each, and a feed and an API token per user. Credentials go
    to ``out`` for bench/load.py."""
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from budgets import services as budget_services
    from budgets.models import BudgetLine, Category, Cost
    from projects.models import Membership, Person, Project, Role
    from sessions import services as session_services
    from sessions.models import RateRule
    from studio import services
    from studio.models import Booking, Gear, Room, Studio

    call_command("migrate", verbosity=0)
    zone = ZoneInfo("Europe/Berlin")
    studio = Studio.objects.create(
        name="Load Test Studios", time_zone=zone.key, currency="EUR", address="Hamburg"
    )
    rooms = Room.objects.bulk_create(
        Room(
            studio=studio,
            name=f"Room {chr(ord('A') + i)}",
            capacity=8,
            hourly_rate=Decimal(90),
            half_day_rate=Decimal(400),
            day_rate=Decimal(750),
        )
        for i in range(ROOMS)
    )
    gear = Gear.objects.bulk_create(
        Gear(
            studio=studio,
            room=rooms[i % ROOMS],
            name=f"Condenser mic {i + 1}",
            category=Gear.Category.MICROPHONE,
            serial_number=f"LOAD-{i:04d}",
            day_rate=Decimal(40),
        )
        for i in range(2 * ROOMS)
    )
    # One hash for all: PBKDF2 at Django's cost is half a second a user, and the server pays
    # it again at each sign-in anyway.
    password = make_password(PASSWORD)
    users = User.objects.bulk_create(
        User(username=f"producer{i:02d}", password=password, first_name=f"Producer {i}")
        for i in range(USERS)
    )
    hourly = RateRule.objects.filter(project=None, kind="hourly", currency="EUR").first()
    assert hourly is not None, "the hourly EUR preset comes with sessions' migrations"
    now = timezone.now()
    today = now.astimezone(zone).date()
    accounts: list[dict[str, Any]] = []
    for p in range(PROJECTS):
        project = Project.objects.create(
            title=f"Album {p + 1}",
            artist=f"Band {p + 1}",
            currency="EUR",
            status=Project.Status.RECORDING,
        )
        project.studios.add(studio)
        members = users[p * 5 : p * 5 + 5]
        Membership.objects.bulk_create(
            Membership(project=project, user=user, role=Role.PRODUCER) for user in members
        )
        # Two sessions a day in the production's own room, so productions never collide.
        room = rooms[p % ROOMS]
        days = []
        for offset in range(-60, 31):
            day = today + datetime.timedelta(days=offset)
            for first, last in ((10, 14), (15, 19)):
                start = datetime.datetime.combine(day, datetime.time(first), tzinfo=zone)
                end = datetime.datetime.combine(day, datetime.time(last), tzinfo=zone)
                if offset < 0:
                    status = Booking.Status.CANCELLED if offset % 9 == 0 else "confirmed"
                else:
                    status = Booking.Status.HOLD_1 if offset % 4 == 3 else "confirmed"
                days.append((start, end, status))
        Booking.objects.bulk_create(
            Booking(
                room=room,
                project=project,
                title=f"Tracking {n + 1}",
                start=start,
                end=end,
                status=status,
                quoted_amount=Decimal(360),
                confirmed_at=now if status == "confirmed" else None,
                expires_at=now + datetime.timedelta(hours=studio.hold_hours)
                if status == Booking.Status.HOLD_1
                else None,
                cancellation_fee=Decimal(90) if status == Booking.Status.CANCELLED else None,
                notes="Overdubs: guitars, then vocals.",
            )
            for n, (start, end, status) in enumerate(days)
        )
        booking = (
            Booking.objects.filter(project=project, status="confirmed", start__gt=now)
            .order_by("start")
            .first()
        )
        assert booking is not None
        session = session_services.session_create(
            project=project, booking=booking, title="Tracking: rhythm section"
        )
        for n, instrument in enumerate(("drums", "bass", "guitar", "keys")):
            person = Person.objects.create(name=f"Player {p}-{n}")
            person.projects.add(project)
            session_services.engagement_save(
                session=session,
                person=person,
                rate_rule=hourly,
                role="musician",
                hours=Decimal(4),
                instrument=instrument,
            )
        for song in ("Low Tide", "Harbour Lights", "Paper Lanterns"):
            for number in range(1, 5):
                session_services.take_create(
                    session=session, song_name=song, keeper=number == 3, rating=3
                )
        for item in gear:
            if item.room_id == room.pk:
                session_services.gear_check_record(session=session, gear=item, result="ok")
        budget = budget_services.budget_create(project=project)
        BudgetLine.objects.filter(budget=budget).update(planned=Decimal(4000))
        categories = Category.values
        Cost.objects.bulk_create(
            Cost(
                project=project,
                category=categories[i % len(categories)],
                vendor=f"Vendor {i % 37}",
                date=today - datetime.timedelta(days=i % 120),
                amount=Decimal("123.45"),
                currency="EUR",
                amount_converted=Decimal("123.45"),
                status=Cost.Status.PAID if i % 2 else Cost.Status.COMMITTED,
                recoupable=i % 5 == 0,
            )
            for i in range(300)
        )
        for user in members:
            feed = services.feed_token_create(owner=user, target=project)
            accounts.append(
                {
                    "username": user.username,
                    "password": PASSWORD,
                    "token": Token.objects.create(user=user).key,
                    "feed": feed.token,
                    "project": project.pk,
                    "session": session.pk,
                    "budget": budget.pk,
                }
            )
    # Each user writes holds in a room and a span of days of its own, far from the seeded
    # days: no two users' writes can meet, so a 409 would be a bug, not bad luck.
    for i, account in enumerate(accounts):
        account["room"] = rooms[i % ROOMS].pk
        account["write_from"] = datetime.datetime.combine(
            today + datetime.timedelta(days=60 + 40 * (i // ROOMS)), datetime.time(), tzinfo=zone
        ).isoformat()
    out.write_text(json.dumps(accounts))


# --- run --------------------------------------------------------------------------------------


def wait_until_up(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - our own
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer in 60 s:\n{log.read_text()[-3000:]}")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


TICK = os.sysconf("SC_CLK_TCK")


def cpu_snapshot(server: int) -> dict[str, Any]:
    """CPU seconds so far: the machine's busy time (/proc/stat), and per process of gunicorn
    (the master and its workers) and of PostgreSQL (every backend, ours and anyone's). Other
    work on the machine takes cores from the run; the report says how much."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    busy = (sum(fields[:8]) - fields[3] - fields[4]) / TICK  # all but idle and iowait
    processes: dict[str, dict[int, float]] = {"gunicorn": {}, "postgres": {}}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # gone since the listing
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        rest = stat[stat.rindex(")") + 2 :].split()
        pid, parent, ticks = int(entry.name), int(rest[1]), int(rest[11]) + int(rest[12])
        if pid == server or parent == server:
            processes["gunicorn"][pid] = ticks / TICK
        elif comm == "postgres":
            processes["postgres"][pid] = ticks / TICK
    return {"busy": busy, **processes}


def cpu_used(before: dict[str, Any], after: dict[str, Any], kind: str) -> float:
    # A process that started during the run counts from zero; one that ended is lost (few:
    # gunicorn's workers and their connections live through the run).
    return sum(seconds - before[kind].get(pid, 0.0) for pid, seconds in after[kind].items())


Sample = tuple[float, str, str, float, bool]  # bench/load.py: at, type, name, ms, failed


def percentile(times: list[float], share: float) -> float:
    """Nearest rank: the smallest time with ``share`` of the requests at or below it."""
    ordered = sorted(times)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)] if ordered else 0.0


def row(name: str, samples: list[Sample], seconds: float) -> str:
    times = [ms for _, _, _, ms, _ in samples]
    errors = sum(failed for *_, failed in samples)
    figures = [percentile(times, share) for share in (0.50, 0.95, 0.99)]
    return (
        f"  {name:<44} {len(samples):>6} {len(samples) / max(seconds, 1e-9):>7.1f} "
        + " ".join(f"{value:>6.0f}" for value in figures)
        + f" {max(times, default=0):>6.0f} {errors:>6}"
    )


def table(title: str, mix: list[Sample], seconds: float, *, endpoints: bool) -> float:
    """Print the rows of ``mix`` (per endpoint and total); return the total's p95."""
    print(f"  {title}")
    print(f"  {'':<44} {'req':>6} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6} {'max':>6} errors")
    names = sorted({(kind, name) for _, kind, name, _, _ in mix}, key=lambda pair: pair[1])
    for kind, name in names if endpoints else []:
        each = [sample for sample in mix if sample[1] == kind and sample[2] == name]
        print(row(f"{kind} {name}", each, seconds))
    print(row("total", mix, seconds))
    return percentile([ms for _, _, _, ms, _ in mix], 0.95)


def report(samples: list[Sample], failures: str) -> bool:
    """Print the tables; True when the goal is met after the sign-ins.

    The whole run includes the ramp, where fifty sign-ins (PBKDF2, half a CPU second each)
    arrive within five seconds and queue everything behind them; the steady state starts when
    the last of them is answered."""
    sign_ins = [s for s in samples if s[2] in SIGN_IN]
    collisions = [s for s in samples if s[1] == COLLISION]
    mix = [s for s in samples if s[2] not in SIGN_IN and s[1] != COLLISION]
    began = min(at - ms / 1000 for at, _, _, ms, _ in samples)
    ended = max(at for at, *_ in samples)
    signed_in = max((at for at, *_ in sign_ins), default=began)
    steady = [s for s in mix if s[0] - s[3] / 1000 >= signed_in]
    p95 = table(
        f"after the last sign-in ({ended - signed_in:.0f} s; times in ms)",
        steady,
        ended - signed_in,
        endpoints=True,
    )
    errors = sum(failed for *_, failed in steady)
    print()
    table(
        f"whole run ({ended - began:.0f} s, ramp included): the mix",
        mix,
        ended - began,
        endpoints=False,
    )
    table("whole run: sign-ins (GET and POST /login/)", sign_ins, ended - began, endpoints=False)
    print(f"  booking collisions (409, not errors): {len(collisions)}")
    if failures.strip():
        print("  failures:\n" + "\n".join(f"    {line}" for line in failures.splitlines()))
    # No request after the sign-ins (a run too short for its ramp) proves nothing.
    met = bool(steady) and p95 < GOAL_P95_MS and errors == 0 and not any(s[4] for s in samples)
    verdict = "met" if met else "MISSED"
    print(f"  goal after the sign-ins, p95 < {GOAL_P95_MS} ms and 0 errors: {verdict}")
    return met


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="tracksheet-load-"))
    prefix = f"tracksheet-load-{secrets.token_hex(4)}"
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.load_settings",
        "DATABASE_URL": f"{SERVER}/{DATABASE}",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        # Empty, not unset: a CELERY_BROKER_URL in .env would otherwise send tasks to a broker.
        "CELERY_BROKER_URL": "",
        "CACHE_URL": CACHE_SERVER,
        "LOAD_CACHE_PREFIX": prefix,
        "TRACKSHEET_VAR_DIR": str(work / "var"),
        "LOG_LEVEL": "WARNING",
        # Fifty users from one address: raise the per-user API budget (2000/hour by default)
        # and the sign-in lockouts, so that the run measures the site, not its brakes.
        "API_THROTTLE_USER": "1000000/hour",
        "SIGNIN_FAILURE_LIMIT": "100000",
        "SIGNIN_ADDRESS_FAILURE_LIMIT": "100000",
    }
    os.environ.update(env)
    admin_sql(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)', f'CREATE DATABASE "{DATABASE}"')
    server: subprocess.Popen[bytes] | None = None
    try:
        accounts = work / "accounts.json"
        started = time.monotonic()
        seed(out=accounts)
        from django.db import connections

        connections.close_all()
        print(f"  seeded {DATABASE} in {time.monotonic() - started:.0f} s")

        log = work / "gunicorn.log"
        with log.open("wb") as log_file:
            server = subprocess.Popen(  # noqa: S603 - fixed arguments
                [
                    str(Path(sys.executable).parent / "gunicorn"),
                    "config.wsgi",
                    "--workers",
                    WORKERS,
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--timeout",
                    "60",
                    # Django imported once, before the fork: no worker boots during the run.
                    "--preload",
                ],
                cwd=ROOT,
                env=env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        host = f"http://127.0.0.1:{port}"
        wait_until_up(f"{host}/login/", server, log)
        load_average = os.getloadavg()[0]
        print(
            f"  gunicorn {WORKERS} workers on {host}; load average before the run "
            f"{load_average:.2f} on {os.cpu_count()} cores"
        )
        print(f"  locust: {USERS} users, {SPAWN_RATE}/s spawn, {DURATION} (bench/load.py)")
        results = work / "samples.json"
        cpu_mark = children_cpu()
        cpu_before = cpu_snapshot(server.pid)
        run_started = time.monotonic()
        locust = subprocess.run(  # noqa: S603 - fixed arguments
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(ROOT / "bench" / "load.py"),
                "--headless",
                "--users",
                str(USERS),
                "--spawn-rate",
                SPAWN_RATE,
                "--run-time",
                DURATION,
                "--stop-timeout",
                "10",
                "--host",
                host,
                "--csv",
                str(work / "locust"),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env={**env, "LOAD_ACCOUNTS": str(accounts), "LOAD_SAMPLES": str(results)},
            capture_output=True,
            text=True,
            check=False,
        )
        cpu_after = cpu_snapshot(server.pid)
        elapsed = time.monotonic() - run_started
        locust_cpu = children_cpu() - cpu_mark
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        server = None
        if not results.exists():
            print(locust.stdout[-3000:], locust.stderr[-3000:])
            return 1
        failures = (work / "locust_failures.csv").read_text()
        failures = "\n".join(failures.splitlines()[1:])
        print()
        met = report(json.loads(results.read_text()), failures)
        ours = {
            "gunicorn": cpu_used(cpu_before, cpu_after, "gunicorn"),
            "PostgreSQL": cpu_used(cpu_before, cpu_after, "postgres"),
            "locust": locust_cpu,
        }
        others = cpu_after["busy"] - cpu_before["busy"] - sum(ours.values())
        print(
            f"  CPU seconds over the {elapsed:.0f} s run ({elapsed * (os.cpu_count() or 1):.0f} "
            "available): "
            + ", ".join(f"{name} {seconds:.0f}" for name, seconds in ours.items())
            + f", everything else on the machine {max(others, 0):.0f}"
        )
        if others > 0.25 * elapsed * (os.cpu_count() or 1):
            print(
                "  the machine was busy with other work: these figures measure the contention "
                "as much as the site; run it again on a quiet machine"
            )
        errors = [line for line in log.read_text().splitlines() if "Traceback" in line]
        if errors:
            print(f"  gunicorn logged {len(errors)} tracebacks: {log}")
        return 0 if met else 2
    finally:
        if server is not None:
            server.kill()
            server.wait()
        admin_sql(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        drop_cache_keys(prefix)
        if os.environ.get("LOAD_KEEP"):
            print(f"  kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def drop_cache_keys(prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(CACHE_SERVER)
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


if __name__ == "__main__":
    sys.exit(main())
