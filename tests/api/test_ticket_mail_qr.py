"""The buyer's order mail shows each attendee's QR code inline: one PNG part per attendee in a
multipart/related HTML part, shown by its ``cid:``, that a scanner reads back as the attendee's
code, the one the door admits (read here from the MIME message SES was given, as a mail program
reads it). Above 20 seats the mail has no images and says to open each ticket's link."""

import email
import email.policy
import io
import re
from email.message import EmailMessage

from tests.api.checkin_helpers import attendees_of, door_staff, results, scan
from tests.api.orders_helpers import FREE, make_shop
from tests.qr_decode import decode_image

LINK = re.compile(r'href="[^"]+/#/orders/[0-9a-f]{32}/tickets/([0-9a-f]{32}-\d+)"')
IMG = re.compile(r"<img\b[^>]*>")


def _raw_mails(stream, address: str, subject_start: str) -> list[EmailMessage]:
    """The MIME messages SES was asked to send to ``address``, once the stream sent what is pending."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    stream.run_pending()
    parsed = [
        email.message_from_string(m.raw_data, policy=email.policy.default)
        for m in ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages
        if hasattr(m, "raw_data")
    ]
    return [m for m in parsed if m["To"] == address and str(m["Subject"]).startswith(subject_start)]


def _html(message: EmailMessage) -> str:
    return next(str(p.get_content()) for p in message.walk() if p.get_content_type() == "text/html")


def _images(message: EmailMessage) -> list[EmailMessage]:
    return [p for p in message.walk() if p.get_content_maintype() == "image"]


def _png_width(png: bytes) -> int:
    from PIL import Image

    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.width == image.height
    return int(image.width)


def _shown_qrs(message: EmailMessage) -> list[tuple[str, str, str]]:
    """(attendee id of the link, decoded text, alt text) for each image the HTML shows, in order:
    each <img> is in the list item of its attendee's link and drawn from the part its cid: names."""
    html = _html(message)
    parts = {str(p["Content-ID"]).strip("<>"): p for p in _images(message)}
    shown = []
    for item in re.findall(r"<li>.*?</li>", html, re.S):
        link, img = LINK.search(item), IMG.search(item)
        if img is None:
            continue
        assert link is not None and link.end() < img.start()
        cid = re.search(r'src="cid:([^"]+)"', img.group()).group(1)
        part = parts.pop(cid)
        png = part.get_content()
        assert part.get_content_type() == "image/png" and part.get_content_disposition() == "inline"
        width = _png_width(png)
        assert f'width="{width}" height="{width}"' in img.group()
        [read] = decode_image(png)
        assert read.ec_level == "Q"
        shown.append((link.group(1), read.text, re.search(r'alt="([^"]*)"', img.group()).group(1)))
    assert parts == {}, "image parts no <img> shows"
    assert len(shown) == len(IMG.findall(html))
    return shown


def test_the_confirmation_shows_each_attendees_qr_and_the_door_admits_it(
    shop, buyer, signup, stream, sent_emails
):
    order = shop.buy(buyer, shop.ticket(**FREE), 2)
    [message] = _raw_mails(stream, "buyer@example.com", "Your tickets for")
    people = attendees_of(shop, order, buyer)

    # text/plain and multipart/related (text/html and the two PNGs) as alternatives.
    assert message.get_content_type() == "multipart/alternative"
    text, related = message.get_payload()
    assert text.get_content_type() == "text/plain"
    assert related.get_content_type() == "multipart/related"
    assert [p.get_content_type() for p in related.get_payload()] == ["text/html", "image/png", "image/png"]
    assert _shown_qrs(message) == [
        (a["id"], a["code"], "Ticket QR code of Bea Buyer, Community") for a in people
    ]
    assert len({a["code"] for a in people}) == 2
    # The plain-text part still links each ticket (its QR code is on the ticket page).
    for a in people:
        assert f"/#/orders/{order['id']}/tickets/{a['id']}" in text.get_content()

    door = door_staff(shop, signup)
    codes = [read for _, read, _ in _shown_qrs(message)]
    admitted = results(shop, door, *(scan(code) for code in codes))
    assert [(r["result"], r["attendee"]["id"]) for r in admitted] == [("ok", a["id"]) for a in people]


def test_an_order_above_twenty_seats_has_no_images_and_says_to_open_each_link(shop, buyer, stream):
    order = shop.buy(buyer, shop.ticket(**{**FREE, "max_order": 21}), 21)
    [message] = _raw_mails(stream, "buyer@example.com", "Your tickets for")
    html = _html(message)

    assert _images(message) == [] and "cid:" not in html and IMG.search(html) is None
    assert [p.get_content_type() for p in message.walk()] == [
        "multipart/alternative",
        "text/plain",
        "text/html",
    ]
    ids = [f"{order['id']}-{n}" for n in range(1, 22)]
    assert [m.group(1) for m in LINK.finditer(html)] == ids
    text = next(p for p in message.walk() if p.get_content_type() == "text/plain").get_content()
    assert all(f"/#/orders/{order['id']}/tickets/{aid}\n" in text for aid in ids)
    assert (
        "Your order has 21 tickets, too many for their QR codes in one e-mail: "
        "open each ticket's link to show its QR code."
    ) in html


def test_twenty_seats_still_have_their_qr_codes(shop, buyer, stream):
    order = shop.buy(buyer, shop.ticket(**{**FREE, "max_order": 20}), 20)
    [message] = _raw_mails(stream, "buyer@example.com", "Your tickets for")

    codes = {a["id"]: a["code"] for a in attendees_of(shop, order, buyer)}
    assert [(aid, text) for aid, text, _ in _shown_qrs(message)] == list(codes.items())
    assert "too many for their QR codes" not in _html(message)


def test_a_card_payments_receipt_shows_each_attendees_qr(api, signup, make_event, stripe_sandbox, stream):
    shop = make_shop(api, signup, make_event)
    assert (
        api.patch(f"/events/{shop.event_id}", {"payment_provider": "stripe"}, token=shop.organizer).status
        == 200
    )
    buyer = signup("card.buyer@example.com", name="Cara Buyer")
    order = shop.buy(buyer, shop.ticket(quantity=10), 2)
    session_id = api.post(f"/orders/{order['id']}/checkout", token=buyer).json["session_id"]
    stripe_sandbox.state.pay(session_id)
    (answer,) = stripe_sandbox.deliver(api)
    assert (answer.status, answer.json["result"]) == (200, "paid")

    [receipt] = _raw_mails(stream, "card.buyer@example.com", "Your receipt for")

    people = attendees_of(shop, order, buyer)
    assert "Total paid: 25.00 EUR" in _html(receipt)
    assert _shown_qrs(receipt) == [
        (a["id"], a["code"], "Ticket QR code of Cara Buyer, Standard") for a in people
    ]


def test_a_ticket_revoked_before_the_receipt_went_out_has_no_qr_in_it(shop, buyer, stream):
    order = shop.buy(buyer, shop.ticket(quantity=10), 2)
    paid = shop.api.post(f"/events/{shop.event_id}/orders/{order['id']}/mark-paid", token=shop.organizer)
    assert paid.status == 200, paid.json
    first, second = attendees_of(shop, order, buyer)
    # Refunded before the stream mailed the receipt of the completed order.
    refunded = shop.api.post(
        f"/events/{shop.event_id}/orders/{order['id']}/refunds",
        {"attendee_ids": [second["id"]]},
        token=shop.organizer,
    )
    assert refunded.status == 201, refunded.json

    [receipt] = _raw_mails(stream, "buyer@example.com", "Your receipt for")

    assert _shown_qrs(receipt) == [(first["id"], first["code"], "Ticket QR code of Bea Buyer, Standard")]
    assert [m.group(1) for m in LINK.finditer(_html(receipt))] == [first["id"], second["id"]]
    assert "too many for their QR codes" not in _html(receipt)
