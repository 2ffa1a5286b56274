"""What a user does in the browser, step by step, shared by the e2e flows."""

from pathlib import Path
from typing import Any

from tests.e2e.conftest import Stack, save_screenshot

SHOTS = Path("/tmp/shots")
WIDTHS = (1280, 375)

PASSWORD = "e2e password 1"


def sign_up(page: Any, stack: Stack, email: str, name: str, password: str = PASSWORD) -> None:
    page.goto(f"{stack.base_url}/#/signup")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.locator("[data-action=sign-up]").click()
    page.wait_for_selector("[data-action=create-event]")


def sign_in(page: Any, stack: Stack, email: str, password: str = PASSWORD, then: str = "") -> None:
    page.goto(f"{stack.base_url}/#/signin{then}")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.locator("[data-action=sign-in]").click()
    # On a phone the header's links (Sign out among them) wait behind "Menu".
    page.wait_for_selector("[data-action=sign-out]", state="attached")


def create_event(page: Any, stack: Stack, name: str, location: str = "Berlin, Alexanderplatz") -> str:
    """From the dashboard through the wizard's details step; returns the new event's id."""
    page.goto(f"{stack.base_url}/#/")
    page.locator("[data-action=create-event]").click()
    page.get_by_label("Event name").fill(name)
    page.get_by_label("Starts").fill("2027-05-01T09:00")
    page.get_by_label("Ends").fill("2027-05-03T18:00")
    page.get_by_label("Time zone").select_option("Europe/Berlin")
    page.get_by_label("Location").fill(location)
    page.get_by_label("Description").fill("Talks, workshops\nand a party.")
    page.get_by_label("Currency").select_option("EUR")
    page.locator("[data-action=save-details]").click()
    page.wait_for_selector("[data-wizard-step=background]")
    return page.url.split("/events/")[1].split("/")[0]


def publish(page: Any, stack: Stack, event_id: str) -> None:
    page.goto(f"{stack.base_url}/#/events/{event_id}/edit/publish")
    page.locator("[data-action=publish]").click()
    # An event with no ticket on sale is published only once the organizer says so.
    if page.locator("[data-nothing-on-sale]").count():
        page.locator("dialog[data-modal=confirm] [data-action=confirm]").click()
    page.wait_for_selector("[data-public-link]")


def no_horizontal_overflow(page: Any) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def shots(page: Any, name: str) -> None:
    """The page at each of WIDTHS (none may scroll sideways), saved under /tmp/shots/ and test-artifacts/."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        assert no_horizontal_overflow(page), f"{name} overflows at {width} px"
    page.set_viewport_size({"width": 1280, "height": 900})
    save_screenshot(page, name)
