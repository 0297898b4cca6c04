"""Browser tests: Playwright driving Debian's Chromium against Django's live server.

What a page test uses:

- ``live_server`` (pytest-django): the site on a free port, on this worker's test database;
- ``demo``: the demo command's data (studio, productions, budget, session, release) and its users;
- ``page_as(user)``: a new browser context signed in as ``user``, with one page open;
- ``look(page, name)``: axe-core finds nothing serious or critical, the page is no wider than a
  390 px phone, and full-page screenshots at 1366 and 390 px land in
  ``var/test-artifacts/screens/<name>-<width>.png``.

One browser per session (pytest-playwright's ``browser`` fixture), a new context per test.
Without Chromium or axe-core the tests skip saying what to install; under ``CI`` they fail.
"""

from __future__ import annotations

import io
import os
import shutil
import time
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import expect

# Playwright's sync API runs an event loop in this thread for as long as the session's browser
# lives; Django refuses ORM calls from a thread with a running loop unless told it is safe.
# Here it is: the loop only waits on the browser, nothing runs concurrently with the test.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# What a page waits for before a test says it failed: an action's target, a navigation, or an
# `expect` coming true (5 s by default, short for two busy cores running a lane each).
TIMEOUT_MS = 10_000
expect.set_options(timeout=TIMEOUT_MS)

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENS = ROOT / "var" / "test-artifacts" / "screens"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
# Debian's Chromium on a closed network: no sandbox (root in a container), no GPU, and none of
# the background connections (updates, sync, QUIC probes) the network would refuse.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return (
            "Chromium is missing: install it with `sudo apt-get install chromium` "
            "(or `make install` as root)"
        )
    if not AXE.exists():
        return "axe-core is missing: run `npm ci` (or `make install`) to put it in node_modules/"
    return None


@pytest.fixture(scope="session", autouse=True)
def _browser_tools() -> None:
    missing = _missing()
    if missing is None:
        return
    if os.environ.get("CI"):
        pytest.fail(missing)
    pytest.skip(missing)


@pytest.fixture(scope="session")
def _migrated_data(django_db_setup: None) -> str | None:
    """What the migrations put in the test database (preset rate rules and the like), as the
    test runner serialized it: taken before the browser starts, see ``_keep_migrated_data``."""
    from django.db import connections

    return getattr(connections["default"], "_test_serialized_contents", None)


@pytest.fixture(autouse=True)
def _keep_migrated_data(
    request: pytest.FixtureRequest, _migrated_data: str | None, browser: Any
) -> None:
    """Django's connections are context-local (asgiref), and Playwright's running event loop
    is a new context: the test sees a new connection object without the serialized data, so
    ``serialized_rollback`` would neither restore the migrations' rows after the previous
    test's flush nor spare them the post-migrate signal. Hand it over, then restore."""
    from django.db import connections

    connection = connections["default"]
    if _migrated_data is None or hasattr(connection, "_test_serialized_contents"):
        return
    connection._test_serialized_contents = _migrated_data  # type: ignore[attr-defined]
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("serialized_rollback"):
        connection.creation.deserialize_db_from_string(_migrated_data)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": CHROMIUM_ARGS,
        "headless": True,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": DESKTOP, "locale": "en-GB"}


def _load_demo() -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    call_command("demo", stdout=io.StringIO())
    return {user.username: user for user in get_user_model().objects.all()}


@pytest.fixture
def demo(live_server: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The demo command's data in this test's database, and its users by username. The
    masters and song versions are left unanalysed ("measuring…", no waveform yet): the
    analysis takes seconds a test of other pages need not wait for; ``demo_measured``
    analyses them."""
    from releases.tasks import master_analyse
    from songs.tasks import version_analyse

    monkeypatch.setattr(master_analyse, "delay", lambda *args, **kwargs: None)
    monkeypatch.setattr(version_analyse, "delay", lambda *args, **kwargs: None)
    return _load_demo()


@pytest.fixture
def demo_measured(live_server: Any) -> dict[str, Any]:
    """The demo with its masters and versions analysed, as `manage.py demo` leaves it."""
    return _load_demo()


@pytest.fixture
def page_as(
    browser: Any, browser_context_args: dict[str, Any], live_server: Any
) -> Iterator[Callable[[Any], Any]]:
    """Open a page signed in as a user: the session cookie of a real login, set in a new
    context, so no test spends a round trip on the login form it does not test."""
    contexts = []

    def open_page(user: Any) -> Any:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context = browser.new_context(**browser_context_args, base_url=live_server.url)
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        _track_requests(page)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def anonymous_page(
    browser: Any, browser_context_args: dict[str, Any], live_server: Any
) -> Iterator[Any]:
    context = browser.new_context(**browser_context_args, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    _track_requests(page)
    yield page
    context.close()


# What each page has sent and not yet seen answered, and when its traffic last moved: the
# condition `settle` waits on, counted from the page's own requests (Playwright's
# "networkidle" also counts Chromium's, and under load has been seen to hold back with nothing
# of the page's outstanding).
@dataclass
class _Traffic:
    pending: dict[Any, str] = field(default_factory=dict)
    moved: float = field(default_factory=time.monotonic)

    def sent(self, request: Any) -> None:
        self.pending[request] = request.url
        self.moved = time.monotonic()

    def answered(self, request: Any) -> None:
        self.pending.pop(request, None)
        self.moved = time.monotonic()


_traffic: weakref.WeakKeyDictionary[Any, _Traffic] = weakref.WeakKeyDictionary()

# How long a page must send nothing more, all answered, to count as settled (Playwright's
# networkidle waits for the same 500 ms).
QUIET_S = 0.5


def _track_requests(page: Any) -> None:
    traffic = _Traffic()
    _traffic[page] = traffic
    page.on("request", traffic.sent)
    for done in ("requestfinished", "requestfailed"):
        page.on(done, traffic.answered)


def settle(page: Any) -> None:
    """Wait until the page has loaded and its own requests are all answered with nothing new
    sent for QUIET_S. It never carries on after a timeout: a page not quiet within TIMEOUT_MS
    fails, naming what it still waits for."""
    page.wait_for_load_state("load")
    traffic = _traffic[page]
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while traffic.pending or time.monotonic() - traffic.moved < QUIET_S:
        if time.monotonic() > deadline:
            waiting = ", ".join(sorted(traffic.pending.values())) or "requests that keep coming"
            raise AssertionError(f"{page.url} still waits for: {waiting}")
        # Hands control to Playwright, which delivers the page's request events meanwhile.
        page.wait_for_timeout(50)


def _axe_violations(page: Any) -> list[dict[str, Any]]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated, not added as a <script>: the site's Content-Security-Policy admits no
        # script but its own, and axe is not one of them.
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result: dict[str, Any] = page.evaluate(
        """async () => await window.axe.run(document, {
            resultTypes: ["violations"],
            runOnly: {
                type: "tag",
                values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
            },
        })"""
    )
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


def _describe(violations: list[dict[str, Any]], width: int) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"[{violation['impact']}] {violation['id']} at {width} px: {violation['help']}"
        )
        for node in violation["nodes"][:6]:
            target = " ".join(str(t) for t in node["target"])
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    {target}: {summary[:220]}")
        if len(violation["nodes"]) > 6:
            lines.append(f"    … and {len(violation['nodes']) - 6} more")
    return "\n".join(lines)


# What sticks out past the viewport's right edge, to name in the failure.
WIDEST = """() => [...document.querySelectorAll("body *")]
    .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1
        || e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === "visible")
    .slice(0, 5)
    .map((e) => e.tagName.toLowerCase()
        + (typeof e.className === "string" ? "." + e.className.trim().replace(/ +/g, ".") : "")
        + " " + Math.round(e.getBoundingClientRect().right) + "px")"""


def look(page: Any, name: str) -> None:
    """Check the page as a user finds it, at desktop and phone width: nothing serious for
    axe-core, nothing wider than the phone, and a full-page screenshot of each."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    problems = []
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        settle(page)
        # Let layout settle after the resize (the calendar redraws on it).
        page.evaluate(
            "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
        )
        width = size["width"]
        violations = _axe_violations(page)
        if violations:
            problems.append(_describe(violations, width))
        if size is PHONE:
            scroll, inner = page.evaluate(
                "() => [document.documentElement.scrollWidth, window.innerWidth]"
            )
            if scroll > inner:
                wide = page.evaluate(WIDEST)
                problems.append(
                    f"{name}: the page is {scroll} px wide at {inner} px (scrolls sideways); "
                    f"widest: {', '.join(wide)}"
                )
        page.screenshot(path=str(SCREENS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)
    assert not problems, f"{name} ({page.url}):\n" + "\n".join(problems)
