"""The organizer's Messages tab in a real Chromium: compose a message to one ticket's attendees
(the recipient count follows the ticket boxes, the preview shows the Markdown as the mail will and
the organizer's HTML as text), send it, and the mail reaches only those attendees in the local
mailbox; its unsubscribe link opens a page that works without signing in and can be undone.
Screenshots at 1280 and 375 px."""

import time
import uuid

from tests.e2e.conftest import unique_email
from tests.e2e.test_card_payment import _signed_in
from tests.e2e.ui import shots


def _order(stack, event, ticket, buyer, *emails):
    people = [{"name": email.split("@")[0], "email": email} for email in emails]
    placed = stack.api(
        "POST",
        f"/events/{event['id']}/orders",
        {"items": [{"ticket_id": ticket["id"], "quantity": len(emails), "attendees": people}]},
        buyer["token"],
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    assert placed.status_code == 201, placed.text


def _mails(stack, subject):
    return [m for m in stack.local.mailbox() if m["subject"] == subject]


def test_organizer_writes_to_one_tickets_attendees_and_the_mail_arrives(browser, stack):
    organizer = stack.signup(unique_email("olga"), "Olga Organizer")
    event = stack.create_event(organizer["token"], "Message Fest")
    table = {
        "tickets": [
            {"name": "Day pass", "type": "free", "price": "0", "quantity": 20},
            {"name": "Workshop", "type": "free", "price": "0", "quantity": 20},
        ]
    }
    saved = stack.api("PUT", f"/events/{event['id']}/tickets", table, organizer["token"])
    assert saved.status_code == 200, saved.text
    day, workshop = saved.json()
    published = stack.api("PATCH", f"/events/{event['id']}", {"state": "published"}, organizer["token"])
    assert published.status_code == 200, published.text
    buyer = stack.signup(unique_email("bert"), "Bert Buyer")
    day_people = [unique_email("day"), unique_email("day")]
    workshop_person = unique_email("workshop")
    _order(stack, event, day, buyer, *day_people)
    _order(stack, event, workshop, buyer, workshop_person)

    page = _signed_in(browser, stack, organizer, f"#/events/{event['id']}/manage/messages")
    page.locator("[data-messages-empty]").wait_for()
    page.locator("[data-action=compose-message]").click()
    count = page.locator("[data-recipient-count]")
    page.wait_for_function("el => el.textContent.includes('3 valid tickets')", arg=count.element_handle())
    page.locator(f"[data-message-ticket='{workshop['id']}']").check()
    page.wait_for_function("el => el.textContent.includes('1 valid ticket ')", arg=count.element_handle())

    subject = f"Room change {uuid.uuid4().hex[:6]}"
    page.locator("[data-message-subject]").fill(subject)
    page.locator("[data-message-body]").fill(
        "The workshop moves to **room 2**.\n\n<b>not bold</b> [map](https://example.com/map)"
    )
    page.locator("[data-action=preview-message]").click()
    preview = page.locator("[data-message-preview]")
    preview.locator("strong", has_text="room 2").wait_for()
    assert "<b>not bold</b>" in preview.inner_text() and preview.locator("b").count() == 0
    assert preview.get_by_role("link", name="map").get_attribute("href") == "https://example.com/map"
    shots(page, "message-compose")
    page.locator("[data-action=send-message]").click()

    item = page.locator("[data-messages] li", has_text=subject)
    item.wait_for()
    deadline = time.monotonic() + 20
    while not _mails(stack, subject) and time.monotonic() < deadline:
        time.sleep(0.3)
    mails = _mails(stack, subject)
    assert [m["to"] for m in mails] == [[workshop_person]]
    item.locator("[data-message-reach]", has_text="1 e-mail sent").wait_for(timeout=15000)
    shots(page, "messages-tab")

    link = next(link for link in mails[0]["links"] if "#/unsubscribe?token=" in link)
    visitor = browser.new_page()
    visitor.goto(link)
    status = visitor.locator("[data-unsubscribe-status]")
    status.filter(has_text="You will no longer get messages from the organizers of Message Fest").wait_for()
    shots(visitor, "unsubscribed")
    visitor.locator("[data-action=toggle-subscription]").click()
    status.filter(has_text="You will get messages from the organizers of Message Fest again").wait_for()
