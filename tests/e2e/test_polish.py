"""What a new organizer saw on the merged app (#22): the publish step printed "null", the sales
summary kept its figures after "Mark paid", one order was counted as "1 orders", the donation row's
labels wrapped so its amounts sat lower than the other fields, and the phone's "Get tickets" button
broke over two lines."""

import uuid

from tests.e2e.conftest import unique_email


def _signed_in_page(browser, stack, session, path):
    page = browser.new_page()
    page.goto(stack.base_url)
    page.evaluate("s => localStorage.setItem('marquee.session', JSON.stringify(s))", session)
    page.goto(f"{stack.base_url}/?fresh#{path}")
    return page


def _event_with_ticket(stack, organizer, description="Talks.", **ticket):
    event = stack.create_event(organizer["token"], "Polish Days", description=description)
    created = stack.api(
        "POST",
        f"/events/{event['id']}/tickets",
        {"name": "Standard", "type": "paid", "price": "20.00", "quantity": 50, **ticket},
        organizer["token"],
    )
    assert created.status_code == 201, created.text
    return event, created.json()


def test_the_publish_step_prints_no_null(browser, stack):
    organizer = stack.signup(unique_email("pub"), "Pia Publisher")
    event, _ = _event_with_ticket(stack, organizer)
    page = _signed_in_page(browser, stack, organizer, f"/events/{event['id']}/edit/publish")
    page.locator("[data-action=publish]").wait_for()
    assert "null" not in page.locator("main").inner_text()
    page.locator("[data-action=publish]").click()
    page.locator("[data-public-link]").wait_for()
    assert "null" not in page.locator("main").inner_text()


def test_mark_paid_updates_the_sales_summary_and_one_order_is_an_order(browser, stack):
    organizer = stack.signup(unique_email("sum"), "Sam Summary")
    event, ticket = _event_with_ticket(stack, organizer)
    stack.api("PATCH", f"/events/{event['id']}", {"state": "published"}, organizer["token"])
    buyer = stack.signup(unique_email("buyer"), "Bo Buyer")
    ordered = stack.api(
        "POST",
        f"/events/{event['id']}/orders",
        {"items": [{"ticket_id": ticket["id"], "quantity": 2}]},
        buyer["token"],
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    assert ordered.status_code == 201, ordered.text

    page = _signed_in_page(browser, stack, organizer, f"/events/{event['id']}/orders")
    stat = lambda hook: page.locator(f"[data-stat={hook}] .stat-value")  # noqa: E731
    stat("reserved").wait_for()
    assert page.locator("[data-order-count]").inner_text() == "1 order"
    assert (stat("sold").inner_text(), stat("reserved").inner_text()) == ("0", "2")
    mark_paid = page.locator("[data-action=mark-paid]")
    assert mark_paid.evaluate("b => b.getClientRects().length") == 1, "Mark paid breaks over two lines"
    mark_paid.click()
    page.wait_for_function("() => document.querySelector('[data-stat=sold] .stat-value').textContent === '2'")
    assert stat("reserved").inner_text() == "0"
    assert stat("revenue").inner_text() == "€40.00"
    assert page.locator("[data-ticket-sales] td[data-label=Sold]").inner_text() == "2"


def test_the_donation_rows_amounts_line_up_with_its_other_fields(browser, stack):
    organizer = stack.signup(unique_email("don"), "Dana Donation")
    event, _ = _event_with_ticket(stack, organizer, type="donation", price="5.00", suggested_price="12.50")
    page = _signed_in_page(browser, stack, organizer, f"/events/{event['id']}/edit/tickets")
    row = page.locator("[data-ticket-row='0']")
    row.locator("[data-field=suggested_price]").wait_for()
    tops = {
        name: row.locator(f"[data-field={name}]").evaluate("e => Math.round(e.getBoundingClientRect().top)")
        for name in ("name", "price", "suggested_price", "quantity")
    }
    assert len(set(tops.values())) == 1, tops
    labels = row.locator(".ticket-main label").evaluate_all(
        "ls => ls.map(l => [l.textContent, l.getBoundingClientRect().height])"
    )
    one_line = labels[0][1]
    assert all(height == one_line for _, height in labels), labels


def test_the_phone_get_tickets_button_stays_on_one_line(browser_factory, stack):
    organizer = stack.signup(unique_email("bar"), "Bart Bar")
    # A long description keeps the tickets below the screen, where the bar is shown.
    event, _ = _event_with_ticket(stack, organizer, description="A day of talks.\n" * 60)
    stack.api(
        "POST",
        f"/events/{event['id']}/tickets",
        {"name": "Community", "type": "free", "price": "0", "quantity": 50},
        organizer["token"],
    )
    stack.api("PATCH", f"/events/{event['id']}", {"state": "published"}, organizer["token"])
    page = browser_factory(viewport={"width": 375, "height": 700}).new_page()
    page.goto(f"{stack.base_url}/#/public/events/{event['id']}")
    button = page.locator("[data-get-tickets-bar] button")
    button.wait_for()
    lines = button.evaluate(
        "b => { const range = document.createRange(); range.selectNodeContents(b.firstChild);"
        " return range.getClientRects().length; }"
    )
    assert lines == 1, f"'Get tickets' breaks over {lines} lines"


def _middle(locator):
    return locator.evaluate("e => { const r = e.getBoundingClientRect(); return r.top + r.height / 2; }")


def test_mark_all_as_read_sits_level_with_the_notifications_title(browser, stack):
    user = stack.signup(unique_email("note"), "Nora Notes")
    page = _signed_in_page(browser, stack, user, "/notifications")
    button = page.locator("[data-action=mark-all-read]")
    button.wait_for()
    title = page.locator("main h1")
    assert abs(_middle(button) - _middle(title)) <= 4, "the button hangs below the title"
    assert button.evaluate("b => b.getBoundingClientRect().right") > 0.8 * page.viewport_size["width"]


def test_ask_again_reads_as_part_of_its_sentence(browser, stack):
    page = browser.new_page()
    page.goto(f"{stack.base_url}/#/forgot-password")
    page.get_by_label("E-mail").fill(unique_email("again"))
    page.locator("[data-action=send-reset]").click()
    again = page.locator("[data-action=ask-again]")
    again.wait_for()
    sentence_size, link_size, padding = again.evaluate(
        "b => [getComputedStyle(b.parentElement).fontSize, getComputedStyle(b).fontSize,"
        " getComputedStyle(b).paddingLeft]"
    )
    assert (link_size, padding) == (sentence_size, "0px")


def test_the_waiting_rooms_rate_shows_only_while_the_room_is_on(browser, stack):
    organizer = stack.signup(unique_email("room"), "Rita Room")
    page = _signed_in_page(browser, stack, organizer, "/events/new")
    rate = page.locator("[data-admit-per-minute]")
    page.locator("[data-waiting-room]").wait_for()
    assert not rate.is_visible()
    page.locator("[data-waiting-room]").check()
    assert rate.is_visible()
    page.locator("[data-waiting-room]").uncheck()
    assert not rate.is_visible()
