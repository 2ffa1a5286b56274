"""The payment e-mails a buyer gets: the receipt of a paid order, and word of a payment that came
too late for its seats (refunded). Plain text and HTML; every user string escaped in the HTML."""

import html
from dataclasses import dataclass

from chalicelib.domain.messages import Message


@dataclass(frozen=True)
class PaidLine:
    name: str
    quantity: int
    subtotal: str


def receipt_message(
    event_name: str, order_id: str, lines: list[PaidLine], total: str, currency: str, order_link: str
) -> Message:
    subject = f"Your receipt for {event_name}"
    rows = [f"{line.quantity} x {line.name}: {line.subtotal} {currency}" for line in lines]
    text = "\n".join(
        [
            f"Thank you: your payment for {event_name} went through.",
            "",
            *rows,
            f"Total paid: {total} {currency}",
            "",
            f"Order {order_id}: {order_link}",
        ]
    )
    items = "".join(
        f"<li>{line.quantity} &times; {html.escape(line.name)}: {html.escape(line.subtotal)} {currency}</li>"
        for line in lines
    )
    body = (
        f"<p>Thank you: your payment for <strong>{html.escape(event_name)}</strong> went through.</p>"
        f"<ul>{items}</ul><p><strong>Total paid: {html.escape(total)} {currency}</strong></p>"
        f'<p><a href="{html.escape(order_link)}">Your order {html.escape(order_id)}</a></p>'
    )
    return Message(subject, text, body)


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
