"""End-to-end fixtures: the real local stack (``python -m devstack``) on free ports and Debian's
Chromium driven by Playwright, each browser with a fresh profile directory.

A missing /usr/bin/chromium fails the run (never skips): `.ci/run` installs it, and locally
`apt-get install -y chromium` does.
"""

import json
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

# The devstack fixture of tests/integration, reused (one stack for the session).
from tests.integration.conftest import LocalStack, shared_local_stack  # noqa: F401

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Chromium reports every HTTP error response as a console error; a test names the ones it provokes.
NETWORK_ERROR = re.compile(r"Failed to load resource: the server responded with a status of (\d+)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)


class Stack:
    """tests/integration's LocalStack with the e2e flows' shortcuts (sessions as dicts, events, members)."""

    def __init__(self, local: LocalStack) -> None:
        self.local = local
        self.base_url = local.base_url
        self.api_url = local.api_url
        self.ws_url = local.ws_url
        self.data_dir = local.data_dir
        self.superadmin_email = local.superadmin_email
        self.superadmin_password = local.superadmin_password

    def api(
        self, method: str, path: str, body: Any = None, token: str | None = None, headers: dict | None = None
    ) -> requests.Response:
        return self.local.api(method, path, json=body, token=token, headers=headers)

    def signup(self, email: str, name: str = "E2E User", password: str = "e2e password 1") -> dict:
        response = self.api("POST", "/auth/signup", {"email": email, "password": password, "name": name})
        assert response.status_code == 201, response.text
        return response.json()

    def login(self, email: str, password: str) -> dict:
        response = self.api("POST", "/auth/login", {"email": email, "password": password})
        assert response.status_code == 200, response.text
        return response.json()

    def create_event(self, token: str, name: str = "E2E Conf", **fields: Any) -> dict:
        body = {
            "name": name,
            "starts_at": "2027-05-01T09:00:00+02:00",
            "ends_at": "2027-05-03T18:00:00+02:00",
            "timezone": "Europe/Berlin",
            "location_name": "Berlin",
            "currency": "EUR",
            **fields,
        }
        response = self.api("POST", "/events", body, token)
        assert response.status_code == 201, response.text
        return response.json()

    def add_member(self, organizer_token: str, event_id: str, email: str, role: str) -> dict:
        """Sign `email` up, invite it with `role` and accept with the token of the invite e-mail;
        returns the member's session."""
        member = self.signup(email, name=f"{role.title()} Member")
        invite = self.api(
            "POST", f"/events/{event_id}/invites", {"email": email, "role": role}, organizer_token
        )
        assert invite.status_code == 201, invite.text
        token = self.local.invite_token(invite.json()["id"])
        accepted = self.api("POST", f"/invites/{token}/accept", {}, member["token"])
        assert accepted.status_code == 200, accepted.text
        return member

    def jwt_secret(self) -> str:
        return (self.data_dir / "jwt-secret").read_text().strip()


@pytest.fixture(scope="session")
def stack(request: pytest.FixtureRequest) -> Stack:
    """The whole local stack as `make run` starts it (tests/integration's shared session stack)."""
    return Stack(request.getfixturevalue("shared_local_stack"))


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install it with `apt-get update && apt-get install -y chromium`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@dataclass
class ConsoleWatch:
    """Console errors and uncaught exceptions of every page of a browser."""

    errors: list[str] = field(default_factory=list)
    allowed_statuses: set[int] = field(default_factory=set)
    allowed_texts: list[str] = field(default_factory=list)

    def attach(self, page: Any) -> None:
        page.on("console", lambda message: self._console(message))
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))

    def _console(self, message: Any) -> None:
        if message.type != "error":
            return
        network = NETWORK_ERROR.search(message.text)
        if network and int(network.group(1)) in self.allowed_statuses:
            return
        if any(text in message.text for text in self.allowed_texts):
            return
        self.errors.append(message.text)


@dataclass
class Browser:
    context: Any
    console: ConsoleWatch

    def new_page(self) -> Any:
        page = self.context.new_page()
        page.set_default_timeout(15_000)
        return page


@pytest.fixture
def browser_factory(
    playwright_driver: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., Browser]]:
    """`browser_factory()` -> a separate Chromium with a fresh user-data dir (viewport optional)."""
    opened: list[Browser] = []

    def open_browser(viewport: dict | None = None, extra_args: tuple[str, ...] = ()) -> Browser:
        context = playwright_driver.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(CHROMIUM),
            args=[*CHROMIUM_ARGS, *extra_args],
            headless=True,
            viewport=viewport or {"width": 1280, "height": 900},
        )
        console = ConsoleWatch()
        context.on("page", console.attach)
        for page in context.pages:
            console.attach(page)
        browser = Browser(context=context, console=console)
        opened.append(browser)
        return browser

    yield open_browser
    problems = [error for browser in opened for error in browser.console.errors]
    for browser in opened:
        browser.context.close()
    assert not problems, f"console errors: {json.dumps(problems, indent=1)}"


@pytest.fixture
def browser(browser_factory: Callable[..., Browser]) -> Browser:
    return browser_factory()


@pytest.fixture
def page(browser: Browser) -> Any:
    existing = browser.context.pages
    page = existing[0] if existing else browser.new_page()
    page.set_default_timeout(15_000)
    return page


def save_screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


_counter = iter(range(1_000_000))


def unique_email(prefix: str) -> str:
    return f"{prefix}-{os.getpid()}-{next(_counter)}-{time.monotonic_ns() % 1_000_000}@example.com"
