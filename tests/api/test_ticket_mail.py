"""The buyer's e-mail carries the tickets: a free order's confirmation and a paid order's receipt
each link every attendee's ticket page (user text escaped in the HTML part), even when the
reaction that makes the attendees did not run first."""

import html
import re

import pytest

from tests.api.orders_helpers import FREE

TICKET_LINK = re.compile(
    r'href="(http://127\.0\.0\.1:8000/#/orders/([0-9a-f]{32})/tickets/([0-9a-f]{32}-\d+))"'
)


def _mails_to(sent_emails, address, subject_start):
    return [
        m
        for m in sent_emails()
        if m.destinations["ToAddresses"] == [address] and m.subject.startswith(subject_start)
    ]


def _attendee_ids(shop, order, token):
    return [a["id"] for a in shop.api.get(f"/orders/{order['id']}/attendees", token=token).json]


def _links(mail):
    return [(match.group(2), match.group(3)) for match in TICKET_LINK.finditer(mail.body)]


def test_a_free_order_is_confirmed_with_a_link_to_each_ticket(shop, buyer, sent_emails):
    order = shop.buy(buyer, shop.ticket(**FREE), 2)
    [mail] = _mails_to(sent_emails, "buyer@example.com", "Your tickets for")
    ids = _attendee_ids(shop, order, buyer)
    assert len(ids) == 2
    assert _links(mail) == [(order["id"], aid) for aid in ids]
    assert "Bea Buyer, Community" in mail.body
    assert _mails_to(sent_emails, "buyer@example.com", "Your receipt") == []


def test_a_paid_orders_receipt_links_each_ticket(shop, buyer, sent_emails):
    order = shop.buy(buyer, shop.ticket(), 3)
    assert _mails_to(sent_emails, "buyer@example.com", "Your") == []
    paid = shop.api.post(f"/events/{shop.event_id}/orders/{order['id']}/mark-paid", token=shop.organizer)
    assert paid.status == 200, paid.json
    [receipt] = _mails_to(sent_emails, "buyer@example.com", "Your receipt for")
    assert _links(receipt) == [(order["id"], aid) for aid in _attendee_ids(shop, order, buyer)]
    assert "Total paid: 37.50" in receipt.body
    assert _mails_to(sent_emails, "buyer@example.com", "Your tickets for") == []


def test_the_text_part_carries_the_same_links(shop, buyer, sent_emails):
    order = shop.buy(buyer, shop.ticket(**FREE), 2)
    [mail] = _mails_to(sent_emails, "buyer@example.com", "Your tickets for")
    base = f"http://127.0.0.1:8000/#/orders/{order['id']}"
    ids = _attendee_ids(shop, order, buyer)
    assert (
        f"Your tickets (open one at the door, or print it):\n"
        f"- Bea Buyer, Community: {base}/tickets/{ids[0]}\n- Bea Buyer, Community: {base}/tickets/{ids[1]}\n"
        in mail.text
    )
    assert f"Order {order['id']}: {base}\n" in mail.text
    assert "<" not in mail.text


def test_names_with_markup_are_escaped_in_the_html_part(shop, signup, sent_emails):
    buyer = signup("markup@example.com", name='<img src=x onerror="alert(1)">')
    ticket = shop.ticket(**{**FREE, "name": "VIP <b>all</b> & more"})
    shop.buy(buyer, ticket, 1)
    [mail] = _mails_to(sent_emails, "markup@example.com", "Your tickets for")
    names = "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;, " + html.escape("VIP <b>all</b> & more")
    # The one <img> is the ticket's QR code: the names are text in its alt as in the link.
    [img] = re.findall(r"<img\b[^>]*>", mail.body)
    assert img.startswith('<img src="cid:qr-') and img.endswith(f'alt="Ticket QR code of {names}">')
    assert f">{names}</a>" in mail.body
    assert "<img src=x" not in mail.body and "<b>" not in mail.body
    assert len(_links(mail)) == 1
    # The plain-text part shows them as they were typed.
    assert '<img src=x onerror="alert(1)">, VIP <b>all</b> & more: http://' in mail.text


@pytest.fixture
def without_issue_the_tickets():
    """As if the reaction that makes the attendees had not run (failed, or come after the mail)."""
    from chalicelib.services import signals, subscribers

    signals.emit(object())  # loads the subscribers
    signals.unsubscribe(signals.OrderCompleted, subscribers.issue_the_tickets)
    yield
    signals._subscribers[signals.OrderCompleted].insert(0, subscribers.issue_the_tickets)


def test_the_links_do_not_depend_on_the_tickets_being_issued_first(
    shop, buyer, sent_emails, without_issue_the_tickets
):
    from chalicelib.store import attendees as store

    order = shop.buy(buyer, shop.ticket(**FREE), 2)
    [mail] = _mails_to(sent_emails, "buyer@example.com", "Your tickets for")
    made = store.order_attendees(shop.event_id, order["id"])
    assert [(order["id"], a.attendee_id) for a in made] == _links(mail)
    assert len(made) == 2
