"""The e-mails a buyer gets about an order: the receipt of a paid order and the confirmation of a
free one, each with a link to every attendee's ticket page, and word of a payment that came too
late for its seats (refunded). Plain text and HTML; every user string escaped in the HTML."""

import html
from collections.abc import Sequence
from typing import NamedTuple

from chalicelib.domain.messages import Message


class PaidLine(NamedTuple):
    name: str
    quantity: int
    subtotal: str


class TicketLink(NamedTuple):
    """One attendee's ticket page: who it is for, which ticket, where it is."""

    attendee_name: str
    ticket_name: str
    url: str


def _tickets_text(tickets: Sequence[TicketLink]) -> list[str]:
    if not tickets:
        return []
    return [
        "Your tickets (open one at the door, or print it):",
        *(f"- {t.attendee_name}, {t.ticket_name}: {t.url}" for t in tickets),
        "",
    ]


def _tickets_html(tickets: Sequence[TicketLink]) -> str:
    if not tickets:
        return ""
    items = "".join(
        f'<li><a href="{html.escape(t.url)}">'
        f"{html.escape(t.attendee_name)}, {html.escape(t.ticket_name)}</a></li>"
        for t in tickets
    )
    return f"<p>Your tickets (open one at the door, or print it):</p><ul>{items}</ul>"


def _order_mail(
    subject: str,
    head_text: list[str],
    head_html: str,
    order_id: str,
    order_link: str,
    tickets: Sequence[TicketLink],
) -> Message:
    """The head of a mail about an order, then its tickets and a link to the order."""
    text = "\n".join([*head_text, "", *_tickets_text(tickets), f"Order {order_id}: {order_link}"])
    body = (
        f"{head_html}{_tickets_html(tickets)}"
        f'<p><a href="{html.escape(order_link)}">Your order {html.escape(order_id)}</a></p>'
    )
    return Message(subject, text, body)


def receipt_message(
    event_name: str,
    order_id: str,
    lines: list[PaidLine],
    total: str,
    currency: str,
    order_link: str,
    tickets: Sequence[TicketLink],
) -> Message:
    rows = [f"{line.quantity} x {line.name}: {line.subtotal} {currency}" for line in lines]
    items = "".join(
        f"<li>{line.quantity} &times; {html.escape(line.name)}: {html.escape(line.subtotal)} {currency}</li>"
        for line in lines
    )
    return _order_mail(
        f"Your receipt for {event_name}",
        [
            f"Thank you: your payment for {event_name} went through.",
            "",
            *rows,
            f"Total paid: {total} {currency}",
        ],
        f"<p>Thank you: your payment for <strong>{html.escape(event_name)}</strong> went through.</p>"
        f"<ul>{items}</ul><p><strong>Total paid: {html.escape(total)} {currency}</strong></p>",
        order_id,
        order_link,
        tickets,
    )


def confirmation_message(
    event_name: str, order_id: str, lines: list[PaidLine], order_link: str, tickets: Sequence[TicketLink]
) -> Message:
    """A free order's confirmation: what was ordered and the tickets."""
    items = "".join(f"<li>{line.quantity} &times; {html.escape(line.name)}</li>" for line in lines)
    return _order_mail(
        f"Your tickets for {event_name}",
        [
            f"Your order for {event_name} is confirmed.",
            "",
            *(f"{line.quantity} x {line.name}" for line in lines),
        ],
        f"<p>Your order for <strong>{html.escape(event_name)}</strong> is confirmed.</p><ul>{items}</ul>",
        order_id,
        order_link,
        tickets,
    )


def late_payment_message(event_name: str, paid: str, order_link: str) -> Message:
    subject = f"Your payment for {event_name} was refunded"
    explanation = (
        f"Your payment of {paid} for {event_name} arrived after your reservation had ended, and the "
        "seats had gone to other people meanwhile, so we refunded it in full. Banks take a few days "
        "to show a refund."
    )
    text = f"{explanation}\n\nYour order: {order_link}"
    body = f'<p>{html.escape(explanation)}</p><p><a href="{html.escape(order_link)}">Your order</a></p>'
    return Message(subject, text, body)
