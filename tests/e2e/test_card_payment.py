"""Paying by card in a real Chromium against the local stack and its Stripe stand-in: a buyer orders a
paid ticket of a `stripe` event, clicks Pay, pays on the stand-in's checkout page and comes back to
see the order confirmed once the signed webhook has landed; another order's checkout is cancelled
and the return page offers Pay again with the hold's end. Screenshots at 1280 and 375 px go to
/tmp/shots/ as well as test-artifacts/."""

import re
import uuid
from datetime import UTC, datetime

from tests.e2e.conftest import unique_email
from tests.e2e.ui import shots


def _stripe_event_on_sale(stack, organizer: dict) -> tuple[dict, dict]:
    event = stack.create_event(organizer["token"], "Card Fest")
    chosen = stack.api("PATCH", f"/events/{event['id']}", {"payment_provider": "stripe"}, organizer["token"])
    assert chosen.status_code == 200, chosen.text
    table = {"tickets": [{"name": "Supporter", "type": "paid", "price": "25.00", "quantity": 10}]}
    saved = stack.api("PUT", f"/events/{event['id']}/tickets", table, organizer["token"])
    assert saved.status_code == 200, saved.text
    published = stack.api("PATCH", f"/events/{event['id']}", {"state": "published"}, organizer["token"])
    assert published.status_code == 200, published.text
    return event, saved.json()[0]


def _signed_in(browser, stack, who: dict, route: str):
    """A new page of the app at ``route``, signed in as ``who`` (a session from stack.signup)."""
    page = browser.new_page()
    page.goto(stack.base_url)
    page.evaluate("s => localStorage.setItem('marquee.session', JSON.stringify(s))", who)
    page.goto(f"{stack.base_url}/?fresh{route}")
    return page


def _placed(stack, event: dict, ticket: dict, buyer: dict, quantity: int) -> dict:
    """An order placed through the API (the set-up, not what the test is about)."""
    placed = stack.api(
        "POST",
        f"/events/{event['id']}/orders",
        {"items": [{"ticket_id": ticket["id"], "quantity": quantity}]},
        buyer["token"],
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    assert placed.status_code == 201, placed.text
    return placed.json()


def _order(page, stack, event: dict, ticket: dict) -> str:
    page.goto(f"{stack.base_url}/?fresh#/public/events/{event['id']}")
    page.locator(f"[data-order-quantity='{ticket['id']}']").fill("2")
    page.locator("[data-action=order]").click()
    page.locator("[data-order-result=pending]").wait_for()
    link = page.locator("[data-order-result=pending] a[href^='#/orders/']").get_attribute("href")
    return link.split("/orders/")[1]


def test_buyer_pays_by_card_and_sees_the_order_completed(browser, stack):
    organizer = stack.signup(unique_email("cora"), "Cora Organizer")
    event, ticket = _stripe_event_on_sale(stack, organizer)
    buyer = stack.signup(unique_email("pat"), "Pat Payer")
    page = browser.new_page()
    page.goto(stack.base_url)
    page.evaluate("s => localStorage.setItem('marquee.session', JSON.stringify(s))", buyer)

    order_id = _order(page, stack, event, ticket)
    pay = page.locator("[data-order-result=pending] [data-action=pay]")
    assert pay.inner_text() == "Pay 50.00 EUR"
    shots(page, "card-pay-button")

    pay.click()
    page.wait_for_url(re.compile(r"/checkout/cs_test_"))
    assert "50.00" in page.locator("tfoot").inner_text()
    page.get_by_role("button", name=re.compile(r"^Pay .* by card$")).click()

    page.wait_for_url(re.compile(rf"#/orders/{order_id}\?checkout=success$"))
    confirmed = page.locator("[data-checkout=confirmed]")
    confirmed.wait_for()
    assert "Your order is complete" in confirmed.inner_text()
    details = page.locator("[data-order-details][data-order-status=completed]")
    assert details.locator("[data-status]").inner_text() == "Completed"
    assert page.locator("[data-action=pay]").count() == 0
    shots(page, "card-return-success")
    stored = stack.api("GET", f"/orders/{order_id}", token=buyer["token"]).json()
    assert stored["status"] == "completed"
    assert stored["payment"]["provider"] == "stripe"

    # Back from Stripe's checkout without paying: the session stays open until it expires, so the
    # seats are still held and Pay opens the same checkout again.
    second_id = _order(page, stack, event, ticket)
    page.locator("[data-order-result=pending] [data-action=pay]").click()
    page.wait_for_url(re.compile(r"/checkout/cs_test_"))
    checkout_page = page.url
    page.get_by_role("button", name="Cancel and go back").click()
    page.wait_for_url(re.compile(rf"#/orders/{second_id}\?checkout=cancelled$"))
    cancelled = page.locator("[data-checkout=cancelled]")
    cancelled.wait_for()
    held = r"^Payment cancelled — your seats are held until .*\d.* [A-Z]{3,}[^.]*\."
    assert re.search(held, cancelled.inner_text())
    again = page.locator("[data-pay-panel] [data-action=pay]")
    assert again.inner_text() == "Pay 50.00 EUR"
    status = page.locator("[data-order-details] [data-status]").inner_text()
    assert status.startswith("Awaiting payment until")
    shots(page, "card-return-cancelled")
    again.click()
    page.wait_for_url(checkout_page)

    # Once the hold is gone (here the buyer cancels the order), the return page says so instead
    # of offering Pay.
    dropped = stack.api("POST", f"/orders/{second_id}/cancel", {}, buyer["token"])
    assert dropped.status_code == 200, dropped.text
    page.goto(f"{stack.base_url}/?fresh#/orders/{second_id}?checkout=cancelled")
    released = page.locator("[data-checkout=released]")
    released.wait_for()
    assert "seats have been released" in released.inner_text()
    assert page.locator("[data-action=pay]").count() == 0
    shots(page, "card-return-released")


def test_organizer_chooses_card_payments_and_a_refund_deadline_in_the_wizard(browser, stack):
    organizer = stack.signup(unique_email("otto"), "Otto Organizer")
    event = stack.create_event(organizer["token"], "Deadline Days")
    page = _signed_in(browser, stack, organizer, f"#/events/{event['id']}/edit/details")
    payments = page.get_by_label("Payments")
    assert payments.input_value() == "manual"
    deadline = page.get_by_label("Buyers may cancel paid orders until")
    assert deadline.input_value() == ""
    assert "Europe/Berlin" in page.locator("[data-refund-deadline] ~ .hint").inner_text()

    payments.select_option("stripe")
    deadline.fill("2027-04-30T12:00")
    page.locator("[data-action=save-details]").click()
    page.wait_for_selector("[data-wizard-step=background]")
    saved = stack.api("GET", f"/events/{event['id']}", token=organizer["token"]).json()
    assert saved["payment_provider"] == "stripe"
    assert datetime.fromisoformat(saved["refund_deadline"]) == datetime(2027, 4, 30, 10, 0, tzinfo=UTC)

    page.goto(f"{stack.base_url}/#/events/{event['id']}/edit/details")
    assert page.get_by_label("Payments").input_value() == "stripe"
    assert page.get_by_label("Buyers may cancel paid orders until").input_value() == "2027-04-30T12:00"
    shots(page, "card-wizard-details")

    # This stack has a Stripe key; a platform without one answers the choice with this 422.
    refusal = {
        "error": {
            "code": "validation_error",
            "message": "Some fields are invalid.",
            "details": {"payment_provider": "Card payments are not set up on this platform (no Stripe key)."},
        }
    }
    browser.console.allowed_statuses.add(422)
    page.route(
        f"**/events/{event['id']}",
        lambda route: (
            route.fulfill(status=422, json=refusal) if route.request.method == "PATCH" else route.continue_()
        ),
    )
    page.locator("[data-action=save-details]").click()
    beside = page.locator("[data-error-for=payment_provider]")
    beside.wait_for()
    assert beside.inner_text() == "Card payments are not set up on this platform (no Stripe key)."
    assert page.get_by_label("Payments").get_attribute("aria-invalid") == "true"
    shots(page, "card-wizard-refused")


def test_organizer_is_not_offered_mark_paid_for_a_card_order(browser, stack):
    organizer = stack.signup(unique_email("ola"), "Ola Organizer")
    event, ticket = _stripe_event_on_sale(stack, organizer)
    buyer = stack.signup(unique_email("ben"), "Ben Buyer")
    placed = _placed(stack, event, ticket, buyer, 1)
    page = _signed_in(browser, stack, organizer, f"#/events/{event['id']}/orders")
    row = page.locator(f"[data-order-id='{placed['id']}'][data-order-status=pending]")
    row.wait_for()
    # Stripe's webhook confirms card payments; the server refuses mark-paid for them (409).
    assert row.locator("[data-action=mark-paid]").count() == 0
    assert row.locator("[data-action=cancel-order]").count() == 1


def test_paying_an_order_closed_meanwhile_says_so_in_plain_words(browser, stack):
    organizer = stack.signup(unique_email("oda"), "Oda Organizer")
    event, ticket = _stripe_event_on_sale(stack, organizer)
    buyer = stack.signup(unique_email("bo"), "Bo Buyer")
    placed = _placed(stack, event, ticket, buyer, 1)
    browser.console.allowed_statuses.add(409)
    page = _signed_in(browser, stack, buyer, f"#/orders/{placed['id']}")
    pay = page.locator("[data-pay-panel] [data-action=pay]")
    assert pay.inner_text() == "Pay 25.00 EUR"
    cancelled = stack.api("POST", f"/orders/{placed['id']}/cancel", {}, buyer["token"])
    assert cancelled.status_code == 200, cancelled.text

    pay.click()
    problem = page.locator("[data-pay-error]:not([hidden])")
    problem.wait_for()
    assert problem.inner_text().startswith("This order can no longer be paid")
    assert pay.is_enabled()
    assert pay.inner_text() == "Pay 25.00 EUR"
    assert page.url.startswith(stack.base_url)


def test_organizer_refunds_part_then_the_rest_of_a_paid_order_in_the_dialog(browser, stack):
    organizer = stack.signup(unique_email("rita"), "Rita Refunder")
    event = stack.create_event(organizer["token"], "Refund Fest")
    table = {"tickets": [{"name": "Seat", "type": "paid", "price": "25.00", "quantity": 10}]}
    ticket = stack.api("PUT", f"/events/{event['id']}/tickets", table, organizer["token"]).json()[0]
    stack.api("PATCH", f"/events/{event['id']}", {"state": "published"}, organizer["token"])
    buyer = stack.signup(unique_email("bert"), "Bert Buyer")
    placed = _placed(stack, event, ticket, buyer, 2)
    paid = stack.api("POST", f"/events/{event['id']}/orders/{placed['id']}/mark-paid", {}, organizer["token"])
    assert paid.status_code == 200, paid.text
    browser.console.allowed_statuses.add(422)  # the refused amount below
    page = _signed_in(browser, stack, organizer, f"#/events/{event['id']}/orders")
    row = page.locator(f"[data-order-id='{placed['id']}']")
    row.locator("[data-action=refund]").click()

    page.locator("[data-refund-amount]").fill("12.345")
    page.locator("[data-action=confirm-refund]").click()
    error = page.locator("[data-error-for=amount]")
    error.wait_for()
    assert "decimal" in error.inner_text().lower() or "cents" in error.inner_text().lower()
    page.locator("[data-refund-amount]").fill("10.00")
    page.locator("[data-refund-reason]").fill("One guest cannot come")
    shots(page, "refund-dialog")
    page.locator("[data-action=confirm-refund]").click()

    page.locator(f"[data-order-id='{placed['id']}'][data-order-status=partially_refunded]").wait_for()
    stored = stack.api("GET", f"/orders/{placed['id']}", token=buyer["token"]).json()
    assert (stored["status"], stored["refunded_total"]) == ("partially_refunded", "10.00")
    assert stored["refunds"][0]["reason"] == "One guest cannot come"

    page.locator(f"[data-order-id='{placed['id']}'] [data-action=refund]").click()
    page.locator("[data-action=confirm-refund]").click()
    page.locator(f"[data-order-id='{placed['id']}'][data-order-status=refunded]").wait_for()
    shots(page, "refund-done")
    after = stack.api("GET", f"/orders/{placed['id']}", token=buyer["token"]).json()
    assert (after["status"], after["refunded_total"]) == ("refunded", "50.00")


def test_organizer_refunds_one_attendee_whose_ticket_goes_back_on_sale(browser, stack):
    organizer = stack.signup(unique_email("ria"), "Ria Refunder")
    event = stack.create_event(organizer["token"], "Seat Fest")
    table = {"tickets": [{"name": "Seat", "type": "paid", "price": "25.00", "quantity": 10}]}
    ticket = stack.api("PUT", f"/events/{event['id']}/tickets", table, organizer["token"]).json()[0]
    stack.api("PATCH", f"/events/{event['id']}", {"state": "published"}, organizer["token"])
    buyer = stack.signup(unique_email("bo"), "Bo Buyer")
    placed = _placed(stack, event, ticket, buyer, 3)
    stack.api("POST", f"/events/{event['id']}/orders/{placed['id']}/mark-paid", {}, organizer["token"])
    guests = stack.api("GET", f"/orders/{placed['id']}/attendees", token=buyer["token"]).json()
    renamed = stack.api(
        "PATCH", f"/orders/{placed['id']}/attendees/{guests[1]['id']}", {"name": "Gus Guest"}, buyer["token"]
    )
    assert renamed.status_code == 200, renamed.text
    page = _signed_in(browser, stack, organizer, f"#/events/{event['id']}/orders")
    page.locator(f"[data-order-id='{placed['id']}'] [data-action=refund]").click()

    choices = page.locator("[data-refund-attendees] label")
    choices.first.wait_for()
    assert choices.count() == 3
    gus = page.locator("[data-refund-attendees] label", has_text="Gus Guest")
    assert "25.00" in gus.inner_text()
    gus.locator("input").check()
    shots(page, "refund-attendee-dialog")
    page.locator("[data-action=confirm-refund]").click()

    page.locator(f"[data-order-id='{placed['id']}'][data-order-status=partially_refunded]").wait_for()
    after = stack.api("GET", f"/orders/{placed['id']}/attendees", token=buyer["token"]).json()
    assert [a["status"] for a in after] == ["valid", "revoked", "valid"]
    public = stack.api("GET", f"/public/events/{event['id']}").json()
    assert public["tickets"][0]["available"] == 8
