"""Budget: the public event page (the event's site, with a schedule) transfers at most 150 KB on its
first load (fresh profile, empty cache) and under 5 KB on a repeat visit with a warm cache (the
service worker's copies, revalidated with 304s), images excluded, measured from the sizes Chromium
reports for every response of the page and of its service worker."""

import requests

from tests.e2e.conftest import save_screenshot, unique_email

BUDGET_BYTES = 150 * 1024
WARM_BUDGET_BYTES = 5 * 1024


def _program(stack, token: str, event_id: str) -> None:
    """A realistic schedule: 3 tracks, 2 rooms, 12 speakers, 24 sessions over two days, 3 sponsors."""
    base = f"/events/{event_id}"

    def add(service: str, body: dict) -> str:
        response = stack.api("POST", f"{base}/{service}", body, token)
        assert response.status_code == 201, response.text
        return response.json()["id"]

    tracks = [add("tracks", {"name": f"Track {n}", "color": f"#33{n}{n}cc"}) for n in range(3)]
    rooms = [add("microlocations", {"name": f"Room {n}"}) for n in range(2)]
    speakers = [add("speakers", {"name": f"Speaker {n}", "bio": "Speaks often. " * 10}) for n in range(12)]
    for n in range(3):
        add("sponsors", {"name": f"Sponsor {n}", "level": ["gold", "silver", "bronze"][n]})
    for n in range(24):
        day, slot = divmod(n, 12)
        hour = 9 + slot // 2
        add(
            "sessions",
            {
                "title": f"Session {n}: a talk with a reasonably long title",
                "abstract": "What it is about. " * 20,
                "state": "confirmed",
                "starts_at": f"2027-05-0{day + 1}T{hour:02d}:{30 * (slot % 2):02d}:00+02:00",
                "ends_at": f"2027-05-0{day + 1}T{hour:02d}:{30 * (slot % 2) + 25:02d}:00+02:00",
                "track_id": tracks[n % 3],
                "microlocation_id": rooms[n % 2],
                "speaker_ids": [speakers[n % 12]],
            },
        )


def _transferred(requests) -> tuple[int, str]:
    """Bytes on the wire (headers and bodies) of every request but images; an answer the service
    worker gave from its cache costs nothing, its own requests to the network count."""
    sizes: dict[str, int] = {}
    for request in requests:
        response = request.response()
        if request.resource_type == "image" or response is None or response.from_service_worker:
            continue
        size = request.sizes()
        key = f"{request.url}{' (worker)' if request.service_worker else ''}"
        sizes[key] = sizes.get(key, 0) + size["responseBodySize"] + size["responseHeadersSize"]
    report = "\n".join(f"{size:>8} {url}" for url, size in sorted(sizes.items(), key=lambda i: -i[1]))
    return sum(sizes.values()), report


def _conditional_get_size(url: str) -> int:
    etag = requests.get(url, timeout=10).headers["ETag"]
    answer = requests.get(url, headers={"If-None-Match": etag}, timeout=10)
    assert answer.status_code == 304, url
    head = f"HTTP/1.1 304 {answer.reason}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in answer.headers.items())
    return len(f"{head}\r\n".encode()) + len(answer.content)


def test_public_event_first_load_at_most_150_kb_and_a_warm_repeat_under_5_kb(browser_factory, stack):
    organizer = stack.signup(unique_email("weight"), "Wendy Weight")
    event = stack.create_event(organizer["token"], "Lightweight Live", description="Fast pages only. " * 40)
    table = {
        "tickets": [
            {"name": "Free entry", "type": "free", "quantity": 100},
            {"name": "Supporter", "type": "paid", "price": "25.00", "quantity": 50},
            {"name": "Pay what you want", "type": "donation", "quantity": 20},
        ]
    }
    saved = stack.api("PUT", f"/events/{event['id']}/tickets", table, organizer["token"])
    assert saved.status_code == 200, saved.text
    _program(stack, organizer["token"], event["id"])
    published = stack.api("PATCH", f"/events/{event['id']}", {"state": "published"}, organizer["token"])
    assert published.status_code == 200, published.text

    visitor = browser_factory()
    page = visitor.new_page()
    finished = []
    visitor.context.on("requestfinished", lambda request: finished.append(request))
    page.goto(f"{stack.base_url}/#/public/events/{event['id']}", wait_until="networkidle")
    page.wait_for_selector("[data-public-tickets] li")
    # Until the worker stored what the page needs for the next visit (its own requests count too).
    page.wait_for_selector(f"html[data-offline-saved='{event['id']}']", state="attached")
    page.wait_for_load_state("networkidle")

    total, report = _transferred(finished)
    print(f"\npublic event page first load: {total} bytes ({total / 1024:.1f} KB) without images\n{report}")
    assert any(url.endswith("/js/app.js") for url in report.split()), report
    assert "/schedule" in report and "site.js" in report, report
    assert total <= BUDGET_BYTES, f"{total} bytes > {BUDGET_BYTES}\n{report}"
    assert "cropper" not in report  # the cropper is loaded by the wizard only
    save_screenshot(page, "public-event-first-load")

    page.goto(f"{stack.base_url}/#/e/{event['id']}?tab=schedule", wait_until="networkidle")
    page.wait_for_selector("[data-schedule-list] [data-session-title]")
    # Chromium does not report the worker's 304s to Playwright: its Resource Timing lists them, and
    # each is counted at the size of the same conditional GET made here (status line, headers); the
    # browser's update check of sw.js is counted the same way.
    worker = visitor.context.service_workers[0]
    worker.evaluate("performance.clearResourceTimings()")
    finished.clear()
    page.reload(wait_until="networkidle")
    page.wait_for_selector("[data-schedule-list] [data-session-title]")
    page.wait_for_load_state("networkidle")
    warm, report = _transferred(finished)
    revalidated = worker.evaluate(
        "performance.getEntriesByType('resource').filter(e => e.responseStatus === 304).map(e => e.name)"
    )
    for url in [*revalidated, f"{stack.base_url}/sw.js"]:
        size = _conditional_get_size(url)
        warm += size
        report += f"\n{size:>8} {url} (worker, 304)"
    print(f"\nrepeat visit with a warm cache: {warm} bytes ({warm / 1024:.2f} KB) without images\n{report}")
    assert "/schedule" in report, report  # revalidated: a 304
    assert warm < WARM_BUDGET_BYTES, f"{warm} bytes >= {WARM_BUDGET_BYTES}\n{report}"


def test_public_page_availability_updates_live_when_tickets_sell(browser_factory, stack):
    organizer = stack.signup(unique_email("live"), "Liv Live")
    event = stack.create_event(organizer["token"], "Live Counts")
    table = {"tickets": [{"name": "Entry", "type": "free", "quantity": 5, "max_order": 5}]}
    saved = stack.api("PUT", f"/events/{event['id']}/tickets", table, organizer["token"]).json()
    stack.api("PATCH", f"/events/{event['id']}", {"state": "published"}, organizer["token"])

    page = browser_factory().new_page()
    page.goto(f"{stack.base_url}/#/public/events/{event['id']}")
    available = page.locator("[data-ticket-name='Entry'] [data-available]")
    available.wait_for()
    assert available.inner_text() == "5 available"
    page.evaluate("window.__sameDocument = true")

    buyer = stack.signup(unique_email("buyer"), "Bea Buyer")
    order = stack.api(
        "POST",
        f"/events/{event['id']}/orders",
        {"items": [{"ticket_id": saved[0]["id"], "quantity": 5}]},
        buyer["token"],
        headers={"Idempotency-Key": "e2e-live-counts"},
    )
    assert order.status_code == 201, order.text
    page.wait_for_function("() => document.querySelector('[data-available]').textContent === 'Sold out'")
    assert page.evaluate("window.__sameDocument") is True
