"""What a verified Stripe event means for an order, decided from the event alone.

The signed event is the source of truth (it is not fetched back from Stripe); amounts are in the
currency's minor unit, as Stripe sends them. Applying the outcome (once per event id) is the
order use case's job.
"""

from decimal import Decimal
from enum import Enum
from typing import Any, NamedTuple

from chalicelib.domain.money import to_minor_units


class Outcome(Enum):
    PAID = "paid"  # the money is in: complete the order
    AWAITING_FUNDS = "awaiting_funds"  # completed checkout, bank transfer not settled: keep the hold
    PAYMENT_FAILED = "payment_failed"  # release the hold
    EXPIRED = "expired"  # release the hold
    REFUND_UPDATED = "refund_updated"  # a refund changed status
    IGNORED = "ignored"  # an event type this platform does not act on: 200, nothing changes


class PaymentEvent(NamedTuple):
    event_id: str
    outcome: Outcome
    order_id: str | None
    session_id: str | None = None
    payment_intent: str | None = None
    amount: int | None = None  # minor units
    currency: str | None = None  # upper case
    refund_id: str | None = None
    refund_status: str | None = None
    # The id this platform gave the refund (its metadata), for a refund whose Stripe id we never got.
    our_refund_id: str | None = None


SESSION_EVENTS = {
    "checkout.session.async_payment_succeeded": Outcome.PAID,
    "checkout.session.async_payment_failed": Outcome.PAYMENT_FAILED,
    "checkout.session.expired": Outcome.EXPIRED,
}
REFUND_EVENTS = ("refund.created", "refund.updated", "refund.failed")


def read_event(event: dict[str, Any]) -> PaymentEvent:
    """The outcome of one event; anything malformed or foreign is IGNORED, never an error (Stripe
    would retry an error forever)."""
    event_id = str(event.get("id") or "")
    event_type = event.get("type")
    if not isinstance(event_type, str):
        return PaymentEvent(event_id, Outcome.IGNORED, None)
    data = event.get("data")
    subject = data.get("object") if isinstance(data, dict) else None
    if not isinstance(subject, dict):
        return PaymentEvent(event_id, Outcome.IGNORED, None)
    metadata = subject["metadata"] if isinstance(subject.get("metadata"), dict) else {}
    order_id = metadata.get("order_id") or subject.get("client_reference_id")
    order_id = order_id if isinstance(order_id, str) and order_id else None
    if event_type == "checkout.session.completed" or event_type in SESSION_EVENTS:
        if event_type == "checkout.session.completed":
            outcome = Outcome.PAID if subject.get("payment_status") == "paid" else Outcome.AWAITING_FUNDS
        else:
            outcome = SESSION_EVENTS[event_type]
        amount = subject.get("amount_total")
        currency = subject.get("currency")
        return PaymentEvent(
            event_id,
            outcome if order_id else Outcome.IGNORED,
            order_id,
            session_id=subject.get("id") if isinstance(subject.get("id"), str) else None,
            payment_intent=subject.get("payment_intent")
            if isinstance(subject.get("payment_intent"), str)
            else None,
            amount=amount if isinstance(amount, int) and not isinstance(amount, bool) else None,
            currency=currency.upper() if isinstance(currency, str) else None,
        )
    if event_type in REFUND_EVENTS and isinstance(subject.get("id"), str):
        status = "failed" if event_type == "refund.failed" else subject.get("status")
        return PaymentEvent(
            event_id,
            Outcome.REFUND_UPDATED if order_id else Outcome.IGNORED,
            order_id,
            refund_id=subject["id"],
            refund_status=status if isinstance(status, str) else None,
            our_refund_id=metadata.get("refund_id") if isinstance(metadata.get("refund_id"), str) else None,
        )
    return PaymentEvent(event_id, Outcome.IGNORED, order_id)


def amount_matches(event: PaymentEvent, total: Decimal, currency: str) -> bool:
    """Whether Stripe took exactly the order's total, in its currency."""
    if event.amount is None or event.currency != currency.upper():
        return False
    return event.amount == to_minor_units(total, currency)
