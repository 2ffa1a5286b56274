"""The ticket in the attendee's hand, in a real Chromium against the local stack: the buyer orders
two free tickets, opens one from the link of the confirmation e-mail (the stack's mailbox) and
sees the event, its time with the zone named, the venue, the attendee, the ticket and a QR code
that a scanner reads back as the attendee's code (decoded from the screenshot); the order page
lists both tickets, renames one, and says plainly once the event has started that it is too
late; the print view shows the tickets only, one per page; a checked-in ticket says when, in the
event's zone; a cancelled order's ticket says it is
revoked and shows no code. Screenshots at 1280 and 375 px go to /tmp/shots/ and test-artifacts/."""

import re
from datetime import UTC, datetime, timedelta

from tests.e2e.conftest import save_screenshot, unique_email
from tests.e2e.ui import SHOTS, shots
from tests.qr_decode import decode_image


def _event_on_sale(stack, organizer: dict) -> tuple[dict, dict]:
    event = stack.create_event(organizer["token"], "Ticket Fest", location_name="Kulturbrauerei, Berlin")
    table = {"tickets": [{"name": "Day pass", "type": "free", "quantity": 20, "max_order": 5}]}
    saved = stack.api("PUT", f"/events/{event['id']}/tickets", table, organizer["token"])
    assert saved.status_code == 200, saved.text
    published = stack.api("PATCH", f"/events/{event['id']}", {"state": "published"}, organizer["token"])
    assert published.status_code == 200, published.text
    return event, saved.json()[0]


def _check_in(stack, event_id: str, order_id: str, seat: int, at: str) -> None:
    dynamodb = stack.local.aws_client("dynamodb")
    (table,) = [name for name in dynamodb.list_tables()["TableNames"] if name.endswith("-events")]
    dynamodb.update_item(
        TableName=table,
        Key={"pk": {"S": f"EVENT#{event_id}"}, "sk": {"S": f"ATTENDEE#{order_id}#{seat:04d}"}},
        UpdateExpression="SET checked_in_at = :at",
        ConditionExpression="attribute_exists(pk)",
        ExpressionAttributeValues={":at": {"S": at}},
    )


def _signed_in_page(browser, stack, session: dict):
    page = browser.new_page()
    page.goto(stack.base_url)
    page.evaluate("s => localStorage.setItem('marquee.session', JSON.stringify(s))", session)
    return page


def test_the_buyer_opens_shows_renames_and_prints_the_tickets(browser_factory, stack):
    organizer = stack.signup(unique_email("olga"), "Olga Organizer")
    event, day_pass = _event_on_sale(stack, organizer)
    email = unique_email("bea")
    buyer = stack.signup(email, "Bea Buyer")
    browser = browser_factory()
    browser.console.allowed_statuses.add(409)  # the rename after the start, and the revoked QR
    page = _signed_in_page(browser, stack, buyer)

    page.goto(f"{stack.base_url}/?fresh#/public/events/{event['id']}")
    page.locator(f"[data-order-quantity='{day_pass['id']}']").fill("2")
    page.locator("[data-action=order]").click()
    page.locator("[data-order-result=completed]").wait_for()
    order = stack.api("GET", "/me/orders", token=buyer["token"]).json()[0]
    attendees = stack.api("GET", f"/orders/{order['id']}/attendees", token=buyer["token"]).json()
    assert len(attendees) == 2

    # The confirmation e-mail's link opens the first ticket.
    link = stack.local.mailed_link(f"#/orders/{order['id']}/tickets/{attendees[0]['id']}", to=email)
    page.goto(link)
    sheet = page.locator(f"[data-ticket='{attendees[0]['id']}']")
    qr = sheet.locator("img[data-ticket-qr]")
    qr.wait_for()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=qr.element_handle())
    assert sheet.locator("h1[data-ticket-event]").inner_text() == "Ticket Fest"
    when = sheet.locator("[data-ticket-when]").inner_text()
    assert "2027" in when and "9:00" in when and "GMT+2" in when, when
    assert sheet.locator("[data-ticket-zone]").inner_text() == "Times are in the Europe/Berlin time zone."
    assert sheet.locator("[data-ticket-venue]").inner_text() == "Kulturbrauerei, Berlin"
    assert sheet.locator("[data-ticket-name]").inner_text() == "Bea Buyer"
    assert sheet.locator("[data-ticket-type]").inner_text() == "Day pass"
    assert sheet.locator("[data-ticket-order]").inner_text() == order["id"]
    assert sheet.locator("[data-ticket-state]").inner_text() == "Valid"
    assert qr.get_attribute("src").startswith("blob:")
    box = qr.bounding_box()
    assert box["width"] >= 256 and abs(box["width"] - box["height"]) < 1
    assert [read.text for read in decode_image(qr.screenshot())] == [attendees[0]["code"]]
    shots(page, "ticket-one")
    page.set_viewport_size({"width": 375, "height": 800})
    assert [read.text for read in decode_image(qr.screenshot())] == [attendees[0]["code"]]
    page.set_viewport_size({"width": 1280, "height": 900})

    # The order page lists both tickets; the buyer changes who the second one is for.
    page.goto(f"{stack.base_url}/#/orders/{order['id']}")
    second = page.locator(f"[data-attendee-id='{attendees[1]['id']}']")
    second.wait_for()
    assert page.locator("[data-order-attendees] [data-action=show-ticket]").count() == 2
    second.locator("[data-action=edit-attendee]").click()
    dialog = page.locator("[data-modal=attendee]")
    dialog.get_by_label("Name on the ticket").fill("Ada Lovelace")
    dialog.get_by_label("E-mail").fill("ada@example.com")
    dialog.locator("[data-action=save-attendee]").click()
    page.wait_for_function(
        "id => document.querySelector(`[data-attendee-id='${id}'] [data-attendee-name]`)?.textContent"
        " === 'Ada Lovelace'",
        arg=attendees[1]["id"],
    )
    shots(page, "ticket-order-page")
    second.locator("[data-action=show-ticket]").click()
    page.locator(f"[data-ticket='{attendees[1]['id']}'] [data-ticket-name]").wait_for()
    assert page.locator("[data-ticket-name]").inner_text() == "Ada Lovelace"

    # All tickets, printed: no navigation, one ticket per page.
    page.goto(f"{stack.base_url}/#/orders/{order['id']}/tickets")
    page.locator("[data-ticket] img[data-ticket-qr]").nth(1).wait_for()
    assert page.locator("[data-ticket]").count() == 2
    shots(page, "ticket-all")
    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden()
    assert page.locator("[data-ticket-toolbar]").is_hidden()
    assert page.locator("[data-action=print]").is_hidden()
    assert all(page.locator("[data-ticket]").nth(n).is_visible() for n in (0, 1))
    breaks = page.evaluate(
        "[...document.querySelectorAll('[data-ticket]')].map(n => getComputedStyle(n).breakBefore)"
    )
    assert breaks == ["auto", "page"], breaks
    pdf = page.pdf(format="A4", print_background=True)
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 2  # one ticket a page
    (SHOTS / "ticket-all.pdf").write_bytes(pdf)
    save_screenshot(page, "ticket-all-print")
    page.screenshot(path=str(SHOTS / "ticket-all-print-1280.png"), full_page=True)
    page.emulate_media(media="screen")

    # Checked in at the door (what the check-in's conditional write stores): the time in the event's zone.
    _check_in(stack, event["id"], order["id"], 2, "2027-05-01T07:12:00.000+00:00")
    page.goto(f"{stack.base_url}/#/orders/{order['id']}/tickets/{attendees[1]['id']}")
    state = page.locator("[data-ticket-status=checked-in] [data-ticket-state]")
    state.wait_for()
    assert state.inner_text() == "Checked in at May 1, 2027, 9:12 AM GMT+2"

    # Once the event has started, a rename is refused in plain words.
    started = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    moved = stack.api("PATCH", f"/events/{event['id']}", {"starts_at": started}, organizer["token"])
    assert moved.status_code == 200, moved.text
    page.goto(f"{stack.base_url}/#/orders/{order['id']}")
    page.locator(f"[data-attendee-id='{attendees[0]['id']}'] [data-action=edit-attendee]").click()
    dialog = page.locator("[data-modal=attendee]")
    dialog.get_by_label("Name on the ticket").fill("Too Late")
    dialog.locator("[data-action=save-attendee]").click()
    error = dialog.locator("[data-attendee-error]")
    error.wait_for()
    assert error.inner_text() == "The event has started: attendee details can no longer be changed."
    shots(page, "ticket-rename-too-late")
    page.keyboard.press("Escape")
    dialog.wait_for(state="detached")

    # A cancelled order's ticket is revoked: no QR code to show.
    cancelled = stack.api("POST", f"/orders/{order['id']}/cancel", {}, organizer["token"])
    assert cancelled.status_code == 200, cancelled.text
    page.goto(f"{stack.base_url}/#/orders/{order['id']}/tickets/{attendees[0]['id']}")
    revoked = page.locator("[data-ticket-status=revoked]")
    revoked.wait_for()
    assert revoked.locator("[data-ticket-state]").inner_text().startswith("Revoked")
    assert revoked.locator("img").count() == 0
    shots(page, "ticket-revoked")
