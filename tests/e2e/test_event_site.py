"""The event's site: the schedule renders (only public sessions, by day, filtered by track, "now /
next" while the event runs), a starred session stays starred after a reload, speakers and sponsors,
and the page works with the browser offline after one visit, saying how old its copy is."""

import base64
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.e2e.conftest import save_screenshot, unique_email

SHOTS = Path("/tmp/shots")
OFFLINE_ERRORS = ["ERR_INTERNET_DISCONNECTED", "WebSocket connection", "net::ERR_"]


def _jpeg_data_url() -> str:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1200, 600), (40, 30, 90))
    draw = ImageDraw.Draw(image)
    for x in range(0, 1200, 60):
        draw.rectangle([x, 300 + (x % 240) - 120, x + 40, 600], fill=(200, 80 + x % 150, 120))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode()


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def _program(stack) -> tuple[dict, dict]:
    """A published event running now (in Berlin), with a session on now, one next, one later in
    another track and a draft; a speaker, two sponsors."""
    organizer = stack.signup(unique_email("site"), "Sita Site")
    token = organizer["token"]
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    event = stack.create_event(
        token,
        "Offline Conf",
        starts_at=_iso(now - timedelta(hours=2)),
        ends_at=_iso(now + timedelta(days=2)),
        location_name="Alexanderplatz, Berlin",
        description="Talks and workshops. Bring a laptop.",
    )
    base = f"/events/{event['id']}"

    def add(service: str, body: dict) -> str:
        response = stack.api("POST", f"{base}/{service}", body, token)
        assert response.status_code == 201, response.text
        return response.json()["id"]

    ids = {
        "main": add("tracks", {"name": "Main stage", "color": "#cc3366"}),
        "side": add("tracks", {"name": "Workshops", "color": "#3366cc"}),
        "hall": add("microlocations", {"name": "Hall A", "room": "A1"}),
        "ada": add("speakers", {"name": "Ada Lovelace", "email": "ada@example.com", "organisation": "X"}),
    }
    add("sponsors", {"name": "ACME", "level": "gold", "url": "https://acme.example"})
    add("sponsors", {"name": "Tiny Co", "level": "bronze"})

    def session(title: str, start: timedelta, minutes: int, track: str, state: str = "accepted") -> str:
        return add(
            "sessions",
            {
                "title": title,
                "state": state,
                "starts_at": _iso(now + start),
                "ends_at": _iso(now + start + timedelta(minutes=minutes)),
                "track_id": ids[track],
                "microlocation_id": ids["hall"],
                "speaker_ids": [ids["ada"]],
                "abstract": "What this talk is about.",
            },
        )

    ids["current"] = session("Running now", -timedelta(minutes=15), 60, "main")
    ids["next"] = session("Up next", timedelta(minutes=45), 30, "main")
    ids["tomorrow"] = session("Tomorrow's workshop", timedelta(days=1), 90, "side")
    session("Secret draft", timedelta(hours=3), 30, "main", state="draft")
    image = stack.api("POST", f"{base}/background", {"image": _jpeg_data_url()}, token)
    assert image.status_code == 200, image.text
    published = stack.api("PATCH", base, {"state": "published"}, token)
    assert published.status_code == 200, published.text
    return event, ids


def _titles(locator) -> list[str]:
    return [locator.nth(i).get_attribute("data-session-title") for i in range(locator.count())]


def _starred(page, where: str, session_id: str) -> bool:
    return page.locator(f"{where} [data-star='{session_id}']").get_attribute("aria-pressed") == "true"


def _shots(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_schedule_stars_and_offline(browser_factory, stack):
    event, ids = _program(stack)
    browser = browser_factory()
    browser.console.allowed_texts.extend(OFFLINE_ERRORS)
    page = browser.new_page()
    page.goto(f"{stack.base_url}/#/e/{event['id']}?tab=schedule")

    listed = page.locator("[data-schedule-list] [data-session-title]")
    listed.first.wait_for()
    assert _titles(listed) == ["Running now", "Up next", "Tomorrow's workshop"]
    assert page.locator("text=Secret draft").count() == 0
    assert _titles(page.locator("[data-now] [data-session-title]")) == ["Running now"]
    assert _titles(page.locator("[data-next] [data-session-title]")) == ["Up next"]
    assert page.title() == "Offline Conf · Marquee"
    description = page.locator("meta[name=description]").get_attribute("content")
    assert description == "Talks and workshops. Bring a laptop."

    page.locator("[data-filter=track]").select_option(label="Workshops")
    assert listed.count() == 1 and listed.first.get_attribute("data-session-title") == "Tomorrow's workshop"
    page.locator("[data-filter=track]").select_option(value="")
    assert listed.count() == 3

    star = page.locator(f"[data-schedule-list] [data-star='{ids['next']}']")
    star.click()
    assert star.get_attribute("aria-pressed") == "true"
    assert page.locator("[data-my-count]").inner_text() == "1"
    page.locator("[data-tab=speakers]").click()
    assert "Ada Lovelace" in page.locator("[data-speakers]").inner_text()
    _shots(page, "event-site-speakers")
    assert "ada@example.com" not in page.content()
    page.locator("[data-tab=sponsors]").click()
    levels = page.locator("[data-sponsor-level]")
    assert [levels.nth(i).get_attribute("data-sponsor-level") for i in range(levels.count())] == [
        "gold",
        "bronze",
    ]
    assert "tab=sponsors" in page.url
    _shots(page, "event-site-sponsors")

    page.reload()
    page.locator("[data-panel=sponsors]:not([hidden])").wait_for()
    page.locator("[data-tab=my]").click()
    assert _titles(page.locator("[data-my-schedule] [data-session-title]")) == ["Up next"]
    assert _starred(page, "[data-panel=my]", ids["next"])
    page.locator("[data-tab=schedule]").click()
    assert _starred(page, "[data-schedule-list]", ids["next"])
    calendar = page.locator(f"[data-calendar-link='{ids['next']}']").first.get_attribute("href")
    assert calendar.endswith(f"/public/events/{event['id']}/calendar.ics?session_id={ids['next']}")
    map_link = page.locator("[data-map-link]").get_attribute("href")
    assert map_link == "https://www.openstreetmap.org/search?query=Alexanderplatz%2C+Berlin"
    _shots(page, "event-site-schedule")

    page.wait_for_selector(f"html[data-offline-saved='{event['id']}']", state="attached")
    assert page.locator("[data-offline-note]").is_hidden()
    browser.context.set_offline(True)
    page.reload()
    page.locator("[data-schedule-list] [data-session-title]").first.wait_for()
    note = page.locator("[data-offline-note]")
    assert note.is_visible()
    assert note.inner_text().startswith("Offline — updated ")
    assert listed.count() == 3
    assert _starred(page, "[data-schedule-list]", ids["next"])
    assert page.locator("[data-public-tickets]").count() == 1
    _shots(page, "event-site-offline")
    browser.context.set_offline(False)


def test_old_public_route_and_a_linked_session(browser, stack):
    event, ids = _program(stack)
    page = browser.new_page()
    page.goto(f"{stack.base_url}/#/public/events/{event['id']}")
    page.wait_for_selector(f"[data-public-event='{event['id']}']")
    assert page.locator("h1").inner_text() == "Offline Conf"
    page.goto(f"{stack.base_url}/#/e/{event['id']}?session={ids['tomorrow']}")
    page.locator(f"#session-{ids['tomorrow']}.highlight").wait_for()
    assert page.locator("[data-panel=schedule]").is_visible()
    page.locator("[data-tab=overview]").click()
    mail = page.locator("[data-share-link=E-mail]").get_attribute("href")
    assert mail.startswith("mailto:?subject=Offline%20Conf")
    save_screenshot(page, "event-site-overview")
    _shots(page, "event-site-overview")
