"""Ordering in a real Chromium against the real local stack: a signed-in visitor orders from the
public page while another open page sees availability drop without a reload; "My orders" cancels
a pending order; the organizer marks one paid and exports the orders as CSV."""

import uuid

from tests.e2e.conftest import save_screenshot, unique_email


def _signed_in_page(browser, stack, session: dict):
    page = browser.new_page()
    page.goto(stack.base_url)
    page.evaluate("s => localStorage.setItem('marquee.session', JSON.stringify(s))", session)
    return page


def _event_on_sale(stack, organizer: dict) -> tuple[dict, dict]:
    event = stack.create_event(organizer["token"], "Order Fest")
    table = {
        "tickets": [
            {"name": "Entry", "type": "free", "quantity": 5, "max_order": 5},
            {"name": "Supporter", "type": "paid", "price": "25.00", "quantity": 10},
        ]
    }
    saved = stack.api("PUT", f"/events/{event['id']}/tickets", table, organizer["token"])
    assert saved.status_code == 200, saved.text
    published = stack.api("PATCH", f"/events/{event['id']}", {"state": "published"}, organizer["token"])
    assert published.status_code == 200, published.text
    return event, {ticket["name"]: ticket for ticket in saved.json()}


def test_buy_while_another_page_watches_then_cancel_and_mark_paid(browser_factory, stack):
    organizer = stack.signup(unique_email("olga"), "Olga Organizer")
    event, tickets = _event_on_sale(stack, organizer)
    public_path = f"/?fresh#/public/events/{event['id']}"

    watcher = browser_factory().new_page()
    watcher.goto(f"{stack.base_url}{public_path}")
    watched = watcher.locator("[data-ticket-name='Entry'] [data-available]")
    watched.wait_for()
    assert watched.inner_text() == "5 available"
    assert watcher.locator("[data-sign-in-to-order]").is_visible()
    watcher.evaluate("window.__sameDocument = true")

    buyer_session = stack.signup(unique_email("bea"), "Bea Buyer")
    buyer_browser = browser_factory()
    buyer_browser.console.allowed_statuses.add(422)
    page = _signed_in_page(buyer_browser, stack, buyer_session)
    page.goto(f"{stack.base_url}{public_path}")
    entry = page.locator(f"[data-order-quantity='{tickets['Entry']['id']}']")

    entry.fill("6")
    page.locator("[data-action=order]").click()
    error = page.locator(f"[data-error-for='quantity-{tickets['Entry']['id']}']")
    error.wait_for()
    assert "1 to 5" in error.inner_text()

    entry.fill("2")
    page.locator("[data-action=order]").click()
    page.locator("[data-order-result=completed]").wait_for()
    watcher.wait_for_function("() => document.querySelector(\"[data-ticket-name='Entry'] [data-available]\")"
                              ".textContent === '3 available'")  # fmt: skip
    assert watcher.evaluate("window.__sameDocument") is True
    save_screenshot(watcher, "orders-availability-dropped")

    page.locator(f"[data-order-quantity='{tickets['Supporter']['id']}']").fill("1")
    page.locator("[data-action=order]").click()
    pending = page.locator("[data-order-result=pending]")
    pending.wait_for()
    assert "held until" in pending.inner_text()
    assert "mark the order paid" in pending.inner_text()
    save_screenshot(page, "orders-pending-result")

    page.goto(f"{stack.base_url}/#/orders")
    page.locator("[data-my-orders] tbody tr").nth(1).wait_for()
    pending_row = page.locator("[data-order-status=pending]")
    assert "Supporter" in pending_row.inner_text()
    pending_row.locator("[data-action=cancel-order]").click()
    page.locator("[data-modal=confirm] [data-action=confirm]").click()
    page.locator("[data-order-status=cancelled]").wait_for()
    assert page.locator("[data-order-status=completed]").count() == 1
    save_screenshot(page, "orders-my-orders")

    to_pay = stack.api(
        "POST",
        f"/events/{event['id']}/orders",
        {"items": [{"ticket_id": tickets["Supporter"]["id"], "quantity": 2}]},
        buyer_session["token"],
        headers={"Idempotency-Key": uuid.uuid4().hex},
    ).json()
    office = _signed_in_page(browser_factory(), stack, organizer)
    office.goto(f"{stack.base_url}/?fresh#/events/{event['id']}/manage")
    office.locator("[data-orders-link]").click()
    row = office.locator(f"[data-order-id='{to_pay['id']}']")
    row.locator("[data-action=mark-paid]").click()
    office.locator(f"[data-order-id='{to_pay['id']}'][data-order-status=completed]").wait_for()
    with office.expect_download() as download:
        office.locator("[data-action=export-orders]").click()
    exported = download.value.path().read_text()
    assert exported.splitlines()[0].startswith("order_id,status,buyer_name")
    assert exported.count("Bea Buyer") == 3
    save_screenshot(office, "orders-organizer-list")
