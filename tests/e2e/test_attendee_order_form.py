"""The public order form as a buyer uses it (#22): a sold-out ticket and one whose sales start later
cannot be chosen (also after a reload, and when a ticket sells out while the page is open), each says
where its sale stands; steppers, a running total in the event's currency and a button that says what
it does; a donation below its minimum is refused beside its field and "29,50" is accepted; the
confirmation appears at the top with the focus, and old feedback never stays beside new feedback."""

import re
import uuid

from tests.e2e.conftest import unique_email
from tests.e2e.ui import shots


def _signed_in(browser, stack, session: dict, hash_path: str):
    page = browser.new_page()
    page.goto(stack.base_url)
    page.evaluate("s => localStorage.setItem('marquee.session', JSON.stringify(s))", session)
    page.goto(f"{stack.base_url}/?fresh#{hash_path}")
    return page


def _published(stack, organizer: dict, name: str, tickets: list[dict]) -> tuple[dict, dict]:
    event = stack.create_event(organizer["token"], name, description="Two days of talks and workshops.")
    saved = stack.api("PUT", f"/events/{event['id']}/tickets", {"tickets": tickets}, organizer["token"])
    assert saved.status_code == 200, saved.text
    published = stack.api("PATCH", f"/events/{event['id']}", {"state": "published"}, organizer["token"])
    assert published.status_code == 200, published.text
    return event, {ticket["name"]: ticket for ticket in saved.json()}


def _buy(stack, session: dict, event: dict, ticket: dict, quantity: int) -> None:
    placed = stack.api(
        "POST",
        f"/events/{event['id']}/orders",
        {"items": [{"ticket_id": ticket["id"], "quantity": quantity}]},
        session["token"],
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    assert placed.status_code == 201, placed.text


def test_only_tickets_on_sale_can_be_chosen_and_the_button_says_what_it_costs(browser, stack):
    organizer = stack.signup(unique_email("olga"), "Olga Organizer")
    event, tickets = _published(stack, organizer, "Form Fest", [
        {"name": "Day pass", "type": "paid", "price": "49.00", "quantity": 10, "max_order": 4},
        {"name": "Gone", "type": "free", "quantity": 1},
        {"name": "Later", "type": "paid", "price": "30.00", "quantity": 5,
         "sales_starts_at": "2027-04-01T10:00:00+02:00"},
        {"name": "Early bird", "type": "paid", "price": "19.00", "quantity": 5,
         "sales_ends_at": "2026-01-31T23:59:00+01:00"},
        {"name": "Supporter", "type": "donation", "price": "5.00", "suggested_price": "20.00",
         "quantity": 20},
    ])  # fmt: skip
    _buy(stack, stack.signup(unique_email("early")), event, tickets["Gone"], 1)
    buyer = stack.signup(unique_email("bea"), "Bea Buyer")
    page = _signed_in(browser, stack, buyer, f"/e/{event['id']}")
    card = lambda name: page.locator(f"[data-ticket-name='{name}']")  # noqa: E731
    stepper = lambda name: page.locator(f"[data-order-quantity='{tickets[name]['id']}']")  # noqa: E731
    stepper("Day pass").wait_for()

    # Sold out and not yet on sale: said on the card, and nothing to choose (also after a reload).
    for _ in range(2):
        stepper("Day pass").wait_for()
        assert card("Gone").locator("[data-available]").inner_text() == "Sold out"
        assert stepper("Gone").count() == 0, "a sold-out ticket can be chosen"
        later = card("Later").locator("[data-available]").inner_text()
        assert re.fullmatch(r"On sale from Apr 1, 2027, \d{1,2}:00\s?[AP]M [A-Z][\w+:]+", later), later
        assert stepper("Later").count() == 0
        assert card("Early bird").locator("[data-available]").inner_text() == "Sales ended"
        assert stepper("Early bird").count() == 0
        page.reload()

    submit = page.locator("[data-action=order]")
    assert submit.inner_text() == "Get tickets"
    card("Day pass").get_by_role("button", name="One Day pass ticket more").click()
    card("Day pass").get_by_role("button", name="One Day pass ticket more").click()
    assert stepper("Day pass").input_value() == "2"
    assert page.locator("[data-order-total]").inner_text() == "€98.00"
    assert submit.inner_text() == "Get 2 tickets \u2013 €98.00"
    # The keyboard works the stepper too: the count is a number field.
    stepper("Day pass").focus()
    page.keyboard.press("ArrowUp")
    assert submit.inner_text() == "Get 3 tickets \u2013 €147.00"
    card("Day pass").get_by_role("button", name="One Day pass ticket fewer").click()

    # A donation: starts at the suggested amount; 0 is refused beside the field, "29,50" is fine.
    card("Supporter").get_by_role("button", name="One Supporter ticket more").click()
    amount = page.locator(f"[data-order-amount='{tickets['Supporter']['id']}']")
    assert amount.input_value() == "20.00"
    assert submit.inner_text() == "Get 3 tickets \u2013 €118.00"
    amount.fill("0")
    submit.click()
    amount_error = page.locator(f"[data-error-for='amount-{tickets['Supporter']['id']}']")
    assert amount_error.inner_text() == "The minimum is €5.00."
    assert amount.get_attribute("aria-invalid") == "true"
    amount.fill("29,50")
    assert amount_error.is_hidden() and amount.get_attribute("aria-invalid") is None
    assert submit.inner_text() == "Get 3 tickets \u2013 €127.50"
    shots(page, "attendee-order-form")

    submit.click()
    result = page.locator("[data-order-result=pending]")
    result.wait_for()
    assert "held until" in result.inner_text() and "€127.50" in result.inner_text()
    assert page.evaluate("document.activeElement.classList.contains('order-result')")
    # Scrolled into view (smoothly): its top ends up on the screen.
    page.wait_for_function("() => document.querySelector('.order-result').getBoundingClientRect().top >= 0")
    orders = stack.api("GET", "/me/orders", token=buyer["token"]).json()
    assert orders[0]["total"] == "127.50"
    assert {item["name"]: item["unit_price"] for item in orders[0]["items"]} == {
        "Day pass": "49.00",
        "Supporter": "29.50",
    }
    shots(page, "attendee-order-pending")

    # A new try: the old confirmation goes, the new message is the only feedback.
    submit.click()
    assert "Choose how many tickets" in page.locator("[data-order-error]").inner_text()
    assert page.locator("[data-order-result]").count() == 0

    # My orders and the order's page: every time with its zone.
    with_zone = re.compile(r".*\d{1,2}:\d{2}\s?([AP]M)? (UTC|GMT[+-]?[\d:]*|[A-Z]{3,5})$")
    page.goto(f"{stack.base_url}/#/orders")
    row = page.locator("[data-my-orders] tbody tr").first
    row.wait_for()
    assert with_zone.match(row.locator("[data-ordered-at]").inner_text())
    assert re.match(
        r"Awaiting payment until .*\d{1,2}:\d{2}.* (UTC|GMT[+-]?[\d:]*|[A-Z]{3,5})",
        row.locator("[data-status]").inner_text(),
    )
    shots(page, "attendee-my-orders")
    row.locator("[data-order-link]").click()
    page.locator("[data-order-details]").wait_for()
    assert with_zone.match(page.locator("[data-ordered-at]").inner_text())
    shots(page, "attendee-order-page")


def test_a_free_order_completes_and_a_ticket_selling_out_meanwhile_loses_its_stepper(browser_factory, stack):
    organizer = stack.signup(unique_email("fred"), "Fred Organizer")
    event, tickets = _published(stack, organizer, "Free Fest", [
        {"name": "Entry", "type": "free", "quantity": 5, "max_order": 5},
    ])  # fmt: skip
    buyer = stack.signup(unique_email("bob"), "Bob Buyer")
    page = _signed_in(browser_factory(), stack, buyer, f"/e/{event['id']}")
    entry = page.locator(f"[data-order-quantity='{tickets['Entry']['id']}']")
    entry.wait_for()
    submit = page.locator("[data-action=order]")
    page.get_by_role("button", name="One Entry ticket more").click()
    assert submit.inner_text() == "Get 1 ticket \u2013 Free"
    assert page.locator("[data-order-total]").inner_text() == "Free"

    submit.click()
    done = page.locator("[data-order-result=completed]")
    done.wait_for()
    assert "Your order is complete" in done.inner_text() and "Free" in done.inner_text()
    assert page.evaluate("document.activeElement.classList.contains('order-result')")
    shots(page, "attendee-order-complete")

    # A wrong count after the order: its message, and no green banner beside it.
    entry.fill("5")
    submit.click()
    error = page.locator(f"[data-error-for='quantity-{tickets['Entry']['id']}']")
    assert error.inner_text() == "Only 4 left."
    assert done.count() == 0
    # Fixing the field takes its error away at once.
    entry.fill("2")
    assert error.is_hidden() and entry.get_attribute("aria-invalid") is None

    # Someone else buys the rest while the page is open: the card says so and the stepper goes.
    _buy(stack, stack.signup(unique_email("other")), event, tickets["Entry"], 4)
    page.locator("[data-ticket-name='Entry'][data-sale-state=sold_out]").wait_for()
    assert entry.count() == 0
    assert submit.inner_text() == "Get tickets"
