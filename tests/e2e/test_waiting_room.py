"""The waiting room in a real Chromium (#21): the organizer switches it on in the event settings;
a buyer arriving behind others sees their number and the wait count down, keeps the place across a
reload, and reaches the ticket form once admitted; the order is sent with its admission."""

import time

from tests.e2e.conftest import unique_email
from tests.e2e.ui import shots

RATE = 30  # one person every 2 s


def signed_in(page, stack, session: dict):
    page.goto(stack.base_url)
    page.evaluate("s => localStorage.setItem('marquee.session', JSON.stringify(s))", session)
    return page


def test_join_the_line_wait_then_order(browser_factory, stack):
    organizer = stack.signup(unique_email("wendy"), "Wendy Organizer")
    event = stack.create_event(organizer["token"], "Queue Fest")
    table = {"tickets": [{"name": "Entry", "type": "free", "quantity": 20, "max_order": 2}]}
    saved = stack.api("PUT", f"/events/{event['id']}/tickets", table, organizer["token"])
    assert saved.status_code == 200, saved.text
    ticket_id = saved.json()[0]["id"]
    assert stack.api("PATCH", f"/events/{event['id']}", {"state": "published"}, organizer["token"]).ok

    admin = signed_in(browser_factory().new_page(), stack, organizer)
    admin.goto(f"{stack.base_url}/?fresh#/events/{event['id']}/edit/details")
    admin.locator("[data-waiting-room]").check()
    admin.locator("[data-admit-per-minute]").fill(str(RATE))
    shots(admin, "waiting-room-settings")
    admin.locator("[data-action=save-details]").click()
    admin.wait_for_selector("[data-wizard-step=background]")
    stored = stack.api("GET", f"/events/{event['id']}", token=organizer["token"]).json()
    assert stored["waiting_room"] == {"enabled": True, "admit_per_minute": RATE}

    ahead = [stack.api("POST", f"/public/events/{event['id']}/queue").json() for _ in range(4)]
    assert [place["position"] for place in ahead] == [1, 2, 3, 4]

    buyer = stack.signup(unique_email("quinn"), "Quinn Queuer")
    page = signed_in(browser_factory().new_page(), stack, buyer)
    page.goto(f"{stack.base_url}/?fresh#/e/{event['id']}")
    line = page.locator("[data-queue-position]")
    page.wait_for_function(
        "() => /^You are number \\d+ in line, (about \\d+ minutes?|less than a minute)\\.$/"
        ".test(document.querySelector('[data-queue-position]')?.textContent || '')"
    )
    assert page.locator("[data-order-form]").count() == 0
    shots(page, "waiting-room-in-line")
    kept = page.evaluate(f"localStorage.getItem('marquee.queue.{event['id']}')")
    assert kept and kept.startswith("5.")

    page.reload()
    line.wait_for()
    assert page.evaluate(f"localStorage.getItem('marquee.queue.{event['id']}')") == kept

    page.locator("[data-order-form]").wait_for(timeout=30_000)
    assert "your turn" in line.inner_text()
    # "below": the tickets to choose follow the line's message.
    assert page.evaluate(
        "() => Boolean(document.querySelector('[data-waiting-room]').compareDocumentPosition("
        "document.querySelector('[data-public-tickets]')) & Node.DOCUMENT_POSITION_FOLLOWING)"
    )
    shots(page, "waiting-room-admitted")
    page.locator("[data-order-quantity]").fill("1")
    page.locator("[data-action=order]").click()
    page.locator("[data-order-result=completed]").wait_for()

    # The number is spent: the page's order used it, another order with it is refused.
    status = stack.api("GET", f"/public/events/{event['id']}/queue/{kept}").json()
    again = stack.api(
        "POST",
        f"/events/{event['id']}/orders",
        {"items": [{"ticket_id": ticket_id, "quantity": 1}]},
        buyer["token"],
        headers={"Idempotency-Key": "second-try", "X-Admission": status["admission"]},
    )
    assert again.status_code == 403 and again.json()["error"]["code"] == "admission_used"
    assert stack.api("POST", f"/public/events/{event['id']}/queue").json()["position"] == 6


def test_a_raised_rate_admits_by_push_before_the_re_read(browser_factory, stack):
    """At one a minute the fifth in line waits minutes and re-reads its place every 15 s; the
    organizer raises the rate, the event channel says so, and the page fetches its admission and
    shows the form at once (well before any re-read would)."""
    organizer = stack.signup(unique_email("rita"), "Rita Organizer")
    event = stack.create_event(organizer["token"], "Rate Fest")
    table = {"tickets": [{"name": "Entry", "type": "free", "quantity": 20, "max_order": 2}]}
    assert stack.api("PUT", f"/events/{event['id']}/tickets", table, organizer["token"]).status_code == 200
    slow = {"state": "published", "waiting_room": {"enabled": True, "admit_per_minute": 1}}
    assert stack.api("PATCH", f"/events/{event['id']}", slow, organizer["token"]).ok
    for _ in range(4):
        assert stack.api("POST", f"/public/events/{event['id']}/queue").ok

    buyer = stack.signup(unique_email("pat"), "Pat Pushed")
    page = signed_in(browser_factory().new_page(), stack, buyer)
    reads: list[float] = []
    status_path = f"/public/events/{event['id']}/queue/5."
    page.on("request", lambda request: reads.append(time.monotonic()) if status_path in request.url else None)
    sockets: list = []
    page.on("websocket", lambda socket: sockets.append(socket))
    page.goto(f"{stack.base_url}/?fresh#/e/{event['id']}")
    page.wait_for_function(
        "() => /^You are number 5 in line, about [45] minutes\\.$/"
        ".test(document.querySelector('[data-queue-position]')?.textContent || '')"
    )
    first_read = reads[0]
    assert [socket.url for socket in sockets if f"event={event['id']}" in socket.url]
    time.sleep(1)  # its handshake (the server's $connect) done

    fast = {"waiting_room": {"enabled": True, "admit_per_minute": 600}}
    assert stack.api("PATCH", f"/events/{event['id']}", fast, organizer["token"]).ok
    page.locator("[data-order-form]").wait_for(timeout=10_000)
    admitted_after = time.monotonic() - first_read

    assert "your turn" in page.locator("[data-queue-position]").inner_text()
    assert admitted_after < 15, "admitted by the 15 s re-read, not by the push"
    assert len(reads) == 2  # the first read, then the one the push asked for (with the admission)
    shots(page, "waiting-room-admitted-by-push")
