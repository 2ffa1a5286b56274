"""Budget: the public event page's first load (fresh profile, empty cache) transfers at most 150 KB,
images excluded, measured from the sizes Chromium reports for every response."""

from tests.e2e.conftest import save_screenshot, unique_email

BUDGET_BYTES = 150 * 1024


def test_public_event_first_load_transfers_at_most_150_kb(browser_factory, stack):
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
    published = stack.api("PATCH", f"/events/{event['id']}", {"state": "published"}, organizer["token"])
    assert published.status_code == 200, published.text

    visitor = browser_factory()
    page = visitor.new_page()
    responses = []
    page.on("requestfinished", lambda request: responses.append(request))
    page.goto(f"{stack.base_url}/#/public/events/{event['id']}", wait_until="networkidle")
    page.wait_for_selector("[data-public-tickets] li")
    page.wait_for_load_state("networkidle")

    transferred = {}
    for request in responses:
        if request.resource_type == "image":
            continue
        sizes = request.sizes()
        transferred[request.url] = sizes["responseBodySize"] + sizes["responseHeadersSize"]
    total = sum(transferred.values())
    report = "\n".join(f"{size:>8} {url}" for url, size in sorted(transferred.items(), key=lambda i: -i[1]))
    print(f"\npublic event page first load: {total} bytes ({total / 1024:.1f} KB) without images\n{report}")
    assert any(url.endswith("/js/app.js") for url in transferred), report
    assert total <= BUDGET_BYTES, f"{total} bytes > {BUDGET_BYTES}\n{report}"
    assert "cropper" not in report  # the cropper is loaded by the wizard only
    save_screenshot(page, "public-event-first-load")


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
