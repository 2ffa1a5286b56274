"""The local mailbox shows each e-mail as its recipient would see it: the HTML part drawn in a
sandboxed frame (its links open the frontend in a new tab, its inline images drawn from their
parts), the plain-text part one click away."""

import uuid

from tests.e2e.conftest import unique_email
from tests.e2e.ui import shots
from tests.qr_decode import decode_image


def test_the_mailbox_shows_the_html_part_and_the_text_part(browser_factory, stack):
    email = unique_email("mailbox")
    stack.signup(email, name="Mia Mailbox")
    link = stack.local.mailed_link("#/verify-email?token=", to=email)
    page = browser_factory().new_page()
    page.goto(f"{stack.base_url}/mailbox")

    mine = page.locator("article", has_text=email)
    frame = mine.locator("iframe")
    assert frame.get_attribute("sandbox") == "allow-popups allow-popups-to-escape-sandbox"
    button = frame.content_frame.get_by_role("link", name="Confirm my address")
    assert button.get_attribute("href") == link
    assert frame.content_frame.get_by_text("The link works once, for 24 hours.").is_visible()

    # The button opens its link in a new tab. Playwright reports the tab once its first response
    # starts: the tab is answered here, so this checks the mailbox (not how fast the frontend
    # loads, which the verification tests cover), before any resize of the page.
    document = link.split("#")[0]  # what the tab asks for: the fragment stays in the browser
    page.context.route(
        lambda url: url == document,
        lambda route: route.fulfill(status=200, content_type="text/plain", body="The mailed link"),
    )
    with page.context.expect_page() as opened:
        button.click()
    tab = opened.value
    assert tab.url == link
    assert tab.locator("body").inner_text() == "The mailed link"
    tab.close()

    text = mine.locator("details", has_text="Plain text")
    assert not text.locator("pre").is_visible()
    text.locator("summary").click()
    assert link in text.locator("pre").inner_text()
    mine.scroll_into_view_if_needed()
    shots(page, "mailbox-verification")


def test_the_mailbox_draws_the_order_mails_inline_qr_codes(browser_factory, stack):
    organizer = stack.signup(unique_email("olga"), "Olga Organizer")
    event = stack.create_event(organizer["token"], "Mailbox Fest")
    table = {"tickets": [{"name": "Day pass", "type": "free", "quantity": 20, "max_order": 5}]}
    saved = stack.api("PUT", f"/events/{event['id']}/tickets", table, organizer["token"])
    assert saved.status_code == 200, saved.text
    stack.api("PATCH", f"/events/{event['id']}", {"state": "published"}, organizer["token"])
    email = unique_email("qr")
    buyer = stack.signup(email, name="Quinn Reader")
    items = {"items": [{"ticket_id": saved.json()[0]["id"], "quantity": 2}]}
    ordered = stack.api(
        "POST", f"/events/{event['id']}/orders", items, buyer["token"], {"Idempotency-Key": uuid.uuid4().hex}
    )
    assert ordered.status_code == 201, ordered.text
    order_id = ordered.json()["id"]
    stack.local.mailed_link(f"#/orders/{order_id}/tickets/", to=email)
    codes = [
        a["code"] for a in stack.api("GET", f"/orders/{order_id}/attendees", token=buyer["token"]).json()
    ]
    page = browser_factory().new_page()
    page.goto(f"{stack.base_url}/mailbox")

    mine = page.locator("article", has_text=email).filter(has_text="Your tickets for Mailbox Fest")
    frame = mine.locator("iframe")
    assert frame.get_attribute("sandbox") == "allow-popups allow-popups-to-escape-sandbox"
    images = frame.content_frame.get_by_role("img", name="Ticket QR code of Quinn Reader, Day pass")
    assert images.count() == 2
    for image, code in zip(images.all(), codes, strict=True):
        image.scroll_into_view_if_needed()
        image.wait_for()
        assert image.evaluate("img => img.complete && img.naturalWidth") == 222
        assert image.get_attribute("src").startswith("data:image/png;base64,")
        # What the reader sees of it scans as the ticket's code.
        assert [read.text for read in decode_image(image.screenshot())] == [code]
    # As the reader opens it: the top of the message.
    frame.content_frame.locator("body").evaluate("body => body.ownerDocument.scrollingElement.scrollTo(0, 0)")
    mine.scroll_into_view_if_needed()
    shots(page, "mailbox-order-qr")
