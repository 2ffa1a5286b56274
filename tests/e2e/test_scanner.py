"""The door scanner in a real Chromium against the real local stack: a typed code admits a ticket;
offline it admits another from the stored list, refuses that one again, and keeps deciding and
its queue across a reload with no network (the service worker serves the app); back online it
syncs (the server's list shows them checked in) and shows the ticket another door admitted
meanwhile under "Needs attention". The camera path reads a QR code from Chromium's fake camera
(a .y4m video of the QR, decoded by jsQR); search by name admits through the server too (by the
attendee's id) and shows the server's verdict when another door was first; door staff open it
from their dashboard, and a missing camera is explained."""

import uuid
from pathlib import Path
from typing import Any

from tests.e2e.conftest import save_screenshot, unique_email
from tests.e2e.ui import no_horizontal_overflow

NAMES = ["Ada Lovelace", "Ben Okri", "Cleo Park", "Dan Ruiz"]
# What Chromium logs for requests made while the context is offline or a route is aborted.
OFFLINE_ERRORS = ["net::ERR_INTERNET_DISCONNECTED", "net::ERR_FAILED"]


def _event_with_attendees(stack: Any) -> tuple[dict, dict, list[dict]]:
    """A published event with a free ticket and one completed order of four named attendees."""
    organizer = stack.signup(unique_email("otto"), "Otto Organizer")
    event = stack.create_event(organizer["token"], "Door Fest")
    saved = stack.api(
        "PUT",
        f"/events/{event['id']}/tickets",
        {"tickets": [{"name": "Day pass", "type": "free", "quantity": 10, "max_order": 5}]},
        organizer["token"],
    )
    assert saved.status_code == 200, saved.text
    published = stack.api("PATCH", f"/events/{event['id']}", {"state": "published"}, organizer["token"])
    assert published.status_code == 200, published.text
    buyer = stack.signup(unique_email("bea"), "Bea Buyer")
    order = stack.api(
        "POST",
        f"/events/{event['id']}/orders",
        {"items": [{"ticket_id": saved.json()[0]["id"], "quantity": 4}]},
        buyer["token"],
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    assert order.status_code == 201, order.text
    order_id = order.json()["id"]
    listed = stack.api("GET", f"/orders/{order_id}/attendees", token=buyer["token"])
    assert listed.status_code == 200, listed.text
    attendees = []
    for attendee, name in zip(listed.json(), NAMES, strict=True):
        renamed = stack.api(
            "PATCH", f"/orders/{order_id}/attendees/{attendee['id']}", {"name": name}, buyer["token"]
        )
        assert renamed.status_code == 200, renamed.text
        attendees.append(renamed.json())
    return organizer, event, attendees


def _scanner_page(browser: Any, stack: Any, session: dict, event_id: str) -> Any:
    page = browser.new_page()
    page.goto(stack.base_url)
    page.evaluate("s => localStorage.setItem('marquee.session', JSON.stringify(s))", session)
    page.goto(f"{stack.base_url}/?fresh#/events/{event_id}/scan")
    page.locator("[data-list-size='4']").wait_for()
    return page


def _check_code(page: Any, code: str) -> Any:
    page.locator("[data-code-input]").fill(code)
    page.locator("[data-action=check-code]").click()
    screen = page.locator("[data-scan-result]")
    screen.wait_for(state="visible")
    return screen


def _next_scan(page: Any) -> None:
    page.locator("[data-action=next-scan]").click()
    page.locator("[data-scan-result]").wait_for(state="hidden")


def _checked_in(stack: Any, token: str, event_id: str) -> dict[str, str | None]:
    listed = stack.api("GET", f"/events/{event_id}/checkin-list", token=token)
    assert listed.status_code == 200, listed.text
    return {entry["name"]: entry["checked_in_at"] for entry in listed.json()}


def test_admit_then_offline_duplicate_reload_sync_and_conflict(browser_factory, stack):
    organizer, event, attendees = _event_with_attendees(stack)
    ada, ben, cleo, _ = attendees
    browser = browser_factory(viewport={"width": 375, "height": 740})
    browser.console.allowed_texts.extend(OFFLINE_ERRORS)
    page = browser.new_page()
    page.goto(stack.base_url)
    page.evaluate("s => localStorage.setItem('marquee.session', JSON.stringify(s))", organizer)
    page.goto(f"{stack.base_url}/?fresh#/events/{event['id']}/manage")
    page.locator("[data-checkin-panel] [data-action=scan]").click()
    page.locator("[data-list-size='4']").wait_for()
    assert page.locator("[data-online]").inner_text() == "Online"

    # A typed code, lower-case with spaces as someone reads it out: admitted, and sent at once.
    code = ada["code"].lower()
    screen = _check_code(page, f" {code[:16]} {code[16:]} ")
    assert screen.get_attribute("data-tone") == "green"
    assert page.locator("[data-scan-headline]").inner_text() == "Admitted"
    assert page.locator("[data-scan-name]").inner_text() == "Ada Lovelace"
    assert page.locator("[data-scan-ticket]").inner_text() == "Day pass"
    assert "Admitted. Ada Lovelace. Day pass" in page.locator("[data-announce]").inner_text()
    save_screenshot(page, "scanner-admitted-375")
    _next_scan(page)
    page.locator("[data-waiting='0']").wait_for()

    # The door is told when going offline is safe: the worker holds every module, the camera's too.
    ready = page.locator("[data-scanner-offline='true']")
    ready.wait_for()
    assert ready.inner_text() == "Ready to work offline"
    browser.context.set_offline(True)
    page.locator("[data-online='false']").wait_for()
    screen = _check_code(page, ben["code"])
    assert screen.get_attribute("data-tone") == "green"
    assert page.locator("[data-scan-name]").inner_text() == "Ben Okri"
    _next_scan(page)
    screen = _check_code(page, ben["code"])
    assert screen.get_attribute("data-scan-result") == "already_checked_in"
    assert screen.get_attribute("data-tone") == "amber"
    assert "on this device" in page.locator("[data-scan-detail]").inner_text()
    save_screenshot(page, "scanner-duplicate-375")
    _next_scan(page)

    # Meanwhile another door admits Cleo; this door, offline, still has her as not checked in.
    other_door = stack.api(
        "POST",
        f"/events/{event['id']}/checkins",
        {"scans": [{"id": str(uuid.uuid4()), "code": cleo["code"], "scanned_at": "2026-12-03T10:00:00+00:00",
                    "device": "South door"}]},
        organizer["token"],
    )  # fmt: skip
    assert other_door.json()["results"][0]["result"] == "ok"
    assert _check_code(page, cleo["code"]).get_attribute("data-tone") == "green"
    _next_scan(page)
    assert _check_code(page, "NOT-A-TICKET").get_attribute("data-tone") == "red"
    assert "not a ticket code" in page.locator("[data-scan-detail]").inner_text()
    _next_scan(page)
    assert page.locator("[data-waiting]").get_attribute("data-waiting") == "3"
    assert "3 scans waiting to sync" in page.locator("[data-waiting]").inner_text()

    # A reload with no network at all: the service worker serves the app, IndexedDB the list and
    # the queue, and the scanner goes on deciding.
    page.reload()
    page.locator("[data-list-size='4']").wait_for()
    camera_reader = "async () => Boolean(await caches.match('vendor/jsqr/dist/jsQR.js'))"
    assert page.evaluate(camera_reader), "the camera's QR reader was not kept for offline use"
    page.locator("[data-online='false']").wait_for()
    assert page.locator("[data-waiting]").get_attribute("data-waiting") == "3"
    assert _check_code(page, ben["code"]).get_attribute("data-tone") == "amber"
    _next_scan(page)
    assert _checked_in(stack, organizer["token"], event["id"])["Ben Okri"] is None
    save_screenshot(page, "scanner-waiting-375")

    browser.context.set_offline(False)
    page.locator("[data-action=sync]").click()
    page.locator("[data-waiting='0']").wait_for()
    assert page.locator("[data-online]").inner_text() == "Online"
    attention = page.locator("[data-attention] li")
    attention.wait_for()
    assert attention.count() == 1
    assert attention.get_attribute("data-server-result") == "already_checked_in"
    assert "Cleo Park" in attention.inner_text()
    assert "another door had already admitted" in attention.inner_text()
    checked = _checked_in(stack, organizer["token"], event["id"])
    assert checked["Ada Lovelace"] and checked["Ben Okri"] and checked["Cleo Park"]
    assert checked["Dan Ruiz"] is None
    assert checked["Cleo Park"].startswith("2026-12-03T10:00:00")
    save_screenshot(page, "scanner-attention-375")
    assert no_horizontal_overflow(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    save_screenshot(page, "scanner-attention-1280")
    assert no_horizontal_overflow(page)
    attention.locator("[data-action=dismiss]").click()
    page.locator("[data-attention]").wait_for(state="hidden")


def _qr_video(path: Path, text: str, width: int = 640, height: int = 480) -> Path:
    """A few frames of a black-on-white QR code as a YUV4MPEG2 file (what Chromium's fake camera plays)."""
    import segno

    rows = [list(row) for row in segno.make_qr(text, error="q").matrix_iter(scale=1, border=4)]
    scale = min(width, height) * 3 // 4 // len(rows)
    left, top = (width - len(rows) * scale) // 2, (height - len(rows) * scale) // 2
    luma = bytearray(b"\xff" * (width * height))
    for y, row in enumerate(rows):
        line = b"".join((b"\x10" if dark else b"\xff") * scale for dark in row)
        for dy in range(scale):
            start = (top + y * scale + dy) * width + left
            luma[start : start + len(line)] = line
    chroma = b"\x80" * (width * height // 2)
    frame = b"FRAME\n" + bytes(luma) + chroma
    path.write_bytes(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode() + frame * 5)
    return path


def test_camera_reads_a_qr_code_and_search_admits_by_name(browser_factory, stack, tmp_path):
    organizer, event, attendees = _event_with_attendees(stack)
    video = _qr_video(tmp_path / "qr.y4m", attendees[3]["code"])
    browser = browser_factory(
        viewport={"width": 375, "height": 740},
        extra_args=(
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ),
    )
    browser.console.allowed_texts.extend(OFFLINE_ERRORS)
    page = _scanner_page(browser, stack, organizer, event["id"])
    page.locator("[data-action=camera]").click()
    screen = page.locator("[data-scan-result]")
    screen.wait_for(state="visible")
    assert screen.get_attribute("data-tone") == "green"
    assert page.locator("[data-scan-name]").inner_text() == "Dan Ruiz"
    assert page.locator("[data-camera]").get_attribute("data-reader") in {"jsQR", "BarcodeDetector"}
    save_screenshot(page, "scanner-camera-375")
    _next_scan(page)
    page.locator("[data-action=camera]").click()
    page.locator("[data-camera]").wait_for(state="hidden")
    page.locator("[data-waiting='0']").wait_for()
    assert _checked_in(stack, organizer["token"], event["id"])["Dan Ruiz"]

    page.get_by_label("Search by name").fill("cleo")
    match = page.locator("[data-search-results] li")
    match.wait_for()
    assert match.count() == 1
    # The list refresh that closes this sync is held, to queue a scan while the sync still runs.
    held: list[Any] = []
    page.route("**/checkin-list", lambda route: held.append(route))
    match.locator("[data-action=admit]").click()
    screen.wait_for(state="visible")
    assert screen.get_attribute("data-tone") == "green"
    assert page.locator("[data-scan-detail]").inner_text() == (
        "Admitted by name from the check-in list (no ticket scanned)."
    )
    save_screenshot(page, "scanner-by-name-375")
    _next_scan(page)
    # Queued and synced like a scanned code: the server has her checked in.
    page.locator("[data-waiting='0']").wait_for()
    assert page.locator("[data-recent] li").first.get_attribute("data-state") == "synced"
    assert _checked_in(stack, organizer["token"], event["id"])["Cleo Park"]
    assert "Checked in" in match.inner_text()
    while not held:
        page.wait_for_timeout(50)
    match.locator("[data-action=admit]").click()
    screen.wait_for(state="visible")
    assert screen.get_attribute("data-tone") == "amber"
    assert "on this device" in page.locator("[data-scan-detail]").inner_text()
    _next_scan(page)
    assert page.locator("[data-waiting]").get_attribute("data-waiting") == "1"
    for route in held:
        route.continue_()
    page.unroute("**/checkin-list")  # (and lets go of any refresh held since)
    # Sent right after that sync, not at the next 15 s retry.
    page.locator("[data-waiting='0']").wait_for(timeout=2_000)

    # Offline, so its list stays as it was: another door admits Ben meanwhile, this one admits him by
    # name; back online the server's verdict (already checked in) is what needs attention.
    browser.context.set_offline(True)
    page.locator("[data-online='false']").wait_for()
    ben = attendees[1]
    other_door = stack.api(
        "POST",
        f"/events/{event['id']}/checkins",
        {"scans": [{"id": str(uuid.uuid4()), "attendee_id": ben["id"],
                    "scanned_at": "2026-12-03T10:00:00+00:00", "device": "South door"}]},
        organizer["token"],
    )  # fmt: skip
    assert other_door.json()["results"][0]["result"] == "ok"
    page.get_by_label("Search by name").fill("ben")
    page.locator(f"[data-search-results] li[data-attendee-id='{ben['id']}'] [data-action=admit]").click()
    screen.wait_for(state="visible")
    assert screen.get_attribute("data-tone") == "green"
    _next_scan(page)
    assert page.locator("[data-waiting]").get_attribute("data-waiting") == "1"
    browser.context.set_offline(False)
    page.locator("[data-action=sync]").click()
    page.locator("[data-waiting='0']").wait_for()
    attention = page.locator("[data-attention] li")
    attention.wait_for()
    assert attention.get_attribute("data-server-result") == "already_checked_in"
    assert "Ben Okri" in attention.inner_text()
    assert "another door had already admitted" in attention.inner_text()
    save_screenshot(page, "scanner-by-name-attention-375")


def test_door_staff_open_the_scanner_from_their_dashboard_without_a_camera(browser_factory, stack):
    organizer, event, attendees = _event_with_attendees(stack)
    door = stack.add_member(organizer["token"], event["id"], unique_email("dora"), "checkin")
    page = browser_factory(viewport={"width": 375, "height": 740}).new_page()
    page.goto(stack.base_url)
    page.evaluate("s => localStorage.setItem('marquee.session', JSON.stringify(s))", door)
    page.goto(f"{stack.base_url}/?fresh#/")
    page.locator(f"[data-event-id='{event['id']}'] [data-action=scan]").click()
    page.locator("[data-list-size='4']").wait_for()
    page.locator("[data-action=camera]").click()
    message = page.locator("[data-camera-message]")
    message.wait_for()
    assert "Type the code or search by name" in message.inner_text()
    assert page.locator("[data-camera]").is_hidden()
    assert _check_code(page, "A" * 32).get_attribute("data-scan-result") == "unknown"
    _next_scan(page)
    assert _check_code(page, attendees[0]["code"]).get_attribute("data-tone") == "green"
    _next_scan(page)
    page.locator("[data-waiting='0']").wait_for()
    assert page.locator("[data-recent] li").first.get_attribute("data-state") == "synced"
    assert _checked_in(stack, organizer["token"], event["id"])["Ada Lovelace"]
