"""Card payments: the buyer's checkout, and what Stripe's signed webhooks do to orders.

The webhook's event is the source of truth (it is not fetched back from Stripe). Each event id
changes an order at most once: the change and the event's ledger record are one transaction
(chalicelib.store.payments). A webhook is answered 200 whenever its signature is good, even when
applying it failed: Stripe would retry our bug forever, so it is logged and stored instead.
"""

import logging
import uuid
from datetime import UTC, datetime
from typing import NamedTuple

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import PynamoDBException

from chalicelib.config import settings
from chalicelib.domain import orders as rules
from chalicelib.domain.checkout import charge_lines, session_expiry
from chalicelib.domain.clock import now
from chalicelib.domain.errors import BadRequestError, ConflictError, ForbiddenError, NotFoundError
from chalicelib.domain.money import from_minor_units
from chalicelib.domain.payments import StripePayment
from chalicelib.domain.refunds import Refund
from chalicelib.domain.stripe_events import Outcome, PaymentEvent, amount_matches, read_event
from chalicelib.payments import stripe_gateway as gateway
from chalicelib.services import refunds
from chalicelib.services.orders import release_expired
from chalicelib.services.signals import OrderCompleted, PaymentFlagged, emit
from chalicelib.store import availability, orders, payment_events
from chalicelib.store import payments as stored
from chalicelib.store.models.orders import OrderModel
from chalicelib.store.retry import LostRace, retrying
from chalicelib.store.secrets import SecretUnavailable

logger = logging.getLogger("marquee.payments")

PROVIDER = StripePayment.name
ATTEMPTS = 4
# Failures that pass (a busy item, AWS or Stripe unreachable, a secret not readable yet): the
# event is left for Stripe's next delivery. Anything else is our bug: stored and answered 200.
TRANSIENT = (
    ConflictError,
    BotoCoreError,
    ClientError,
    PynamoDBException,
    gateway.StripeFailed,
    SecretUnavailable,
)


class Checkout(NamedTuple):
    provider: str
    session_id: str
    url: str
    expires_at: str


def _return_url(order: OrderModel, outcome: str) -> str:
    return f"{settings().frontend_url.rstrip('/')}/#/orders/{order.order_id}?checkout={outcome}"


def _checkout_of(order: OrderModel) -> Checkout:
    return Checkout(
        PROVIDER, order.checkout_session_id or "", order.checkout_url or "", order.expires_at or ""
    )


def open_checkout(order: OrderModel, is_buyer: bool) -> Checkout:
    """The order's Checkout Session: made once, the same open one returned when asked again."""
    if not is_buyer:
        raise ForbiddenError("Only the buyer pays for an order.")
    if order.payment_provider != PROVIDER:
        raise ConflictError(
            "This event takes payment as its organizer announces, not by card.", code="not_card_payment"
        )

    def attempt(fresh: bool) -> Checkout:
        current = orders.get_order(order.order_id) if fresh else order
        status = orders.effective_status(current)
        if status != rules.PENDING:
            raise ConflictError(
                f"This order is {status}; only a pending order can be paid.",
                {"status": status},
                code="order_closed",
            )
        if current.checkout_session_id:
            return _checkout_of(current)
        moment = now()
        expires = session_expiry(datetime.fromisoformat(current.expires_at), moment)
        try:
            session = gateway.create_checkout_session(
                order_id=current.order_id,
                lines=charge_lines(orders.lines_of(current), current.currency),
                currency=current.currency,
                expires_at=int(expires.timestamp()),
                success_url=_return_url(current, "success"),
                cancel_url=_return_url(current, "cancelled"),
                customer_email=current.buyer_email,
                # The hold as read: every checkout asked before the hold moves is the same request.
                idempotency_key=f"checkout-{current.order_id}-{current.expires_at}",
            )
        except gateway.StripeFailed as error:
            if orders.get_order(current.order_id).checkout_session_id:
                # A concurrent checkout of this order was made and saved first.
                raise LostRace from error
            raise ConflictError(str(error), code="payment_provider_error") from error
        except ValueError as error:
            # An amount with more decimals than the currency has (a price set before the rule).
            raise ConflictError(
                "This order's amount cannot be charged in its currency; ask the organizer to fix the price.",
                code="payment_provider_error",
            ) from error
        except (gateway.StripeNotConfigured, SecretUnavailable) as error:
            logger.error("checkout of order %s: %s", current.order_id, error)
            raise ConflictError(
                "Card payments are not available on this platform right now; ask the organizer.",
                code="payment_provider_error",
            ) from error
        try:
            stored.save_checkout(
                current, session.session_id, session.url, datetime.fromtimestamp(session.expires_at, UTC)
            )
        except stored.OrderMoved as moved:
            raise LostRace from moved
        return _checkout_of(current)

    return retrying(
        attempt, attempts=ATTEMPTS, busy=ConflictError("This order keeps changing; reload it.", code="busy")
    )


def receive_webhook(raw_body: bytes, signature: str | None) -> str:
    """Verify and apply one webhook; returns what was done (for the log and the answer)."""
    try:
        verified = gateway.verified_event(raw_body, signature)
    except gateway.BadSignature as error:
        raise BadRequestError(str(error), code="bad_signature") from error
    except gateway.StripeNotConfigured as error:
        raise BadRequestError(
            "Card payments are not set up on this platform.", code="payments_not_configured"
        ) from error
    event = read_event(verified)
    event_type = str(verified.get("type") or "")
    if not event.event_id:
        return "ignored"
    if payment_events.seen(PROVIDER, event.event_id):
        return "duplicate"
    try:
        return _apply(event, event_type)
    except stored.Duplicate:
        return "duplicate"
    except TRANSIENT as error:
        # Not recorded: the next delivery (Stripe retries any answer but 2xx) applies it.
        logger.warning("Stripe event %s (%s) not applied yet: %r", event.event_id, event_type, error)
        raise ConflictError(
            "The event could not be applied right now; send it again.", code="retry_later"
        ) from error
    except Exception:
        logger.exception(
            "applying Stripe event %s (%s) failed; stored for a look", event.event_id, event_type
        )
        payment_events.record(PROVIDER, event.event_id, event_type, event.order_id, "failed")
        return "failed"


def _record(event: PaymentEvent, event_type: str, outcome: str) -> str:
    if not payment_events.record(PROVIDER, event.event_id, event_type, event.order_id, outcome):
        return "duplicate"
    return outcome


def _apply(event: PaymentEvent, event_type: str) -> str:
    if event.outcome in (Outcome.IGNORED, Outcome.AWAITING_FUNDS) or event.order_id is None:
        return _record(event, event_type, event.outcome.value)
    try:
        order = orders.get_order(event.order_id)
    except NotFoundError:
        return _record(event, event_type, "unknown_order")
    if order.payment_provider != PROVIDER:
        return _record(event, event_type, "not_card_order")
    if event.outcome is Outcome.PAID:
        return _paid(order, event, event_type)
    if event.outcome in (Outcome.EXPIRED, Outcome.PAYMENT_FAILED):
        return _released(order, event, event_type)
    if event.outcome is Outcome.REFUND_UPDATED and event.refund_id and event.refund_status:
        # Stored once by the refund's own conditional write, so a redelivery changes nothing.
        applied = refunds.apply_refund_update(
            order.order_id, event.refund_id, event.refund_status, event.our_refund_id
        )
        return _record(event, event_type, "refund_updated" if applied else "refund_unchanged")
    return _record(event, event_type, event.outcome.value)


def _released(order: OrderModel, event: PaymentEvent, event_type: str) -> str:
    """The session expired or its bank payment failed: the hold goes (once, whoever else closes it)."""
    if order.status == rules.PENDING and event.session_id == order.checkout_session_id:
        status = rules.EXPIRED if event.outcome is Outcome.EXPIRED else rules.CANCELLED
        moment = max(now(), datetime.fromisoformat(order.expires_at)) if status == rules.EXPIRED else now()
        if orders.close(order, status, None, moment):
            return _record(event, event_type, f"released_{status}")
    return _record(event, event_type, "nothing_to_release")


def _paid(order: OrderModel, event: PaymentEvent, event_type: str) -> str:
    def attempt(fresh: bool) -> str:
        current = orders.get_order(order.order_id) if fresh else order
        try:
            return _settle(current, event, event_type)
        except stored.OrderMoved as moved:
            raise LostRace from moved

    return retrying(attempt, attempts=ATTEMPTS, busy=ConflictError("busy", code="busy"))


def _settle(order: OrderModel, event: PaymentEvent, event_type: str) -> str:
    if not amount_matches(event, order.total, order.currency):
        stored.flag(order, event, event_type, "amount_mismatch")
        emit(PaymentFlagged(order, "amount_mismatch", _paid_text(event)))
        return "amount_mismatch"
    moment = now()
    if order.status == rules.PENDING:
        stored.complete_held(order, event, event_type, moment)
        emit(OrderCompleted(order))
        return "paid"
    if order.status == rules.CANCELLED and order.closed_by:
        # Someone chose to cancel it (buyer or organizer): paying its still-open page does not undo
        # that; the money goes back.
        return _refund_late(order, event, event_type, moment)
    if order.status in (rules.EXPIRED, rules.CANCELLED):
        return _paid_after_release(order, event, event_type, moment)
    # Already completed (or refunded): a second payment for one order is the organizer's to sort out.
    if event.payment_intent and event.payment_intent != order.payment_reference:
        stored.flag(order, event, event_type, "paid_twice")
        emit(PaymentFlagged(order, "paid_twice", _paid_text(event)))
        return "paid_twice"
    return _record(event, event_type, "already_paid")


def _paid_text(event: PaymentEvent) -> str:
    if event.amount is None or event.currency is None:
        return "an unknown amount"
    return f"{from_minor_units(event.amount, event.currency)} {event.currency}"


def _paid_after_release(order: OrderModel, event: PaymentEvent, event_type: str, moment: datetime) -> str:
    """The hold lapsed before the money came: the seats again if they are free, else the money back."""
    release_expired(availability.expired_holds(order.event_id, moment))
    offers = availability.offers(order.event_id)
    if all(ticket_id in offers for ticket_id in rules.per_ticket(orders.lines_of(order))):
        try:
            stored.retake_seats(order, event, event_type, offers, moment)
        except stored.SeatsGone:
            pass
        else:
            emit(OrderCompleted(order))
            return "paid_late"
    return _refund_late(order, event, event_type, moment)


def _refund_late(order: OrderModel, event: PaymentEvent, event_type: str, moment: datetime) -> str:
    if not event.payment_intent or event.amount is None or event.currency is None:
        stored.flag(order, event, event_type, "paid_after_release_unrefunded")
        emit(PaymentFlagged(order, "paid_after_release_unrefunded", _paid_text(event)))
        return "paid_after_release_unrefunded"
    refund_id = uuid.uuid4().hex
    made = gateway.refund(
        payment_intent=event.payment_intent,
        amount=event.amount,
        # One late payment is refunded once, however often its event arrives.
        idempotency_key=f"late-{order.order_id}-{event.payment_intent}",
        metadata={"order_id": order.order_id, "refund_id": refund_id},
    )
    amount = from_minor_units(event.amount, event.currency)
    record = Refund(
        refund_id=refund_id,
        amount=amount,
        status=refunds.our_status(made.status),
        reason="The payment came after the hold ended and the seats were no longer free.",
        attendee_ids=(),
        created_at=availability.iso(moment),
        created_by=None,
        provider_refund_id=made.refund_id,
    ).to_record()
    stored.refunded_unplaceable(order, event, event_type, record, amount)
    emit(PaymentFlagged(order, "paid_after_release", _paid_text(event)))
    return "refunded_late"
