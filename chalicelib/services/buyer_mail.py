"""The mail a buyer gets after a change of their order: the confirmation (free) or receipt (paid)
once it is completed, a notice for each refund that succeeded. Run from the orders table's stream
(chalicelib.streams.handlers), each exactly once per change (services.mail_once).
"""

from typing import NamedTuple

from chalicelib import mail
from chalicelib.domain import attendees as attendee_rules
from chalicelib.domain import orders as order_rules
from chalicelib.domain import refunds as refund_rules
from chalicelib.media import qr as qr_media
from chalicelib.services import attendees
from chalicelib.services.mail_once import send_once
from chalicelib.store.models.attendees import AttendeeModel
from chalicelib.store.models.orders import OrderModel
from chalicelib.store.orders import lines_of

# Above this many seats the mail links the tickets only: 500 inline PNGs would be a mail too big.
MAX_INLINE_QR = 20


class TicketQr(NamedTuple):
    """An attendee's QR code as the mail carries it: a PNG part the HTML shows as ``cid:<cid>``."""

    cid: str
    size: int
    png: bytes


def _ticket_qrs(people: list[AttendeeModel]) -> dict[str, TicketQr]:
    """Each valid attendee's QR code (the code the ticket page's QR carries and the door admits),
    by attendee id: none for a ticket revoked before the mail went out, none above MAX_INLINE_QR
    seats."""
    if len(people) > MAX_INLINE_QR:
        return {}
    drawn = {a.attendee_id: qr_media.qr_png(a.code) for a in people if a.status == attendee_rules.VALID}
    return {aid: TicketQr(f"qr-{aid}@marquee", png.size, png.data) for aid, png in drawn.items()}


def send_receipt(order: OrderModel) -> bool:
    """A paid order's receipt, or a free order's confirmation: each links every attendee's ticket
    and, up to MAX_INLINE_QR seats, shows its QR code. The attendees are read through
    attendees_of, which makes any that are missing, so the mail does not depend on the tickets
    having been issued first."""

    def send() -> str | None:
        people = attendees.attendees_of(order)
        qrs = _ticket_qrs(people)
        return mail.send_with_images(
            order.buyer_email,
            "payment_receipt" if order.total else "order_confirmation",
            {qr.cid: qr.png for qr in qrs.values()},
            event_name=order.event_name,
            order_id=order.order_id,
            lines=lines_of(order),
            total=str(order.total),
            currency=order.currency,
            attendees=people,
            qrs=qrs,
            too_many_for_qr=len(people) > MAX_INLINE_QR,
        )

    return send_once(f"receipt#{order.order_id}", send)


def send_refund_notice(order: OrderModel, refund: refund_rules.Refund) -> bool:
    def send() -> str | None:
        return mail.send(
            order.buyer_email,
            "refund_notice",
            buyer_name=order.buyer_name,
            event_name=order.event_name,
            amount=refund_rules.money_text(refund.amount, order.currency),
            currency=order.currency,
            fully_refunded=order.status == order_rules.REFUNDED,
            reason=refund.reason,
            order_id=order.order_id,
        )

    return send_once(f"refund#{order.order_id}#{refund.refund_id}", send)


def succeeded_refunds(before: OrderModel | None, after: OrderModel) -> list[refund_rules.Refund]:
    """The refunds of ``after`` that had not succeeded in ``before``."""
    done = (
        {r["id"] for r in (before.refunds or []) if r["status"] == refund_rules.SUCCEEDED}
        if before
        else set()
    )
    return [
        refund_rules.Refund.from_record(record)
        for record in after.refunds or []
        if record["status"] == refund_rules.SUCCEEDED and record["id"] not in done
    ]
