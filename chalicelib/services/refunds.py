"""Refund use cases: an organizer's refund (and a cancellation's full one), and the provider's
later word on a refund (``apply_refund_update``, for the Stripe webhook).

A refund is first reserved by one conditional write of the order (see chalicelib.store.refunds):
from then on its amount counts against what is left, whoever else refunds. A manual order's
refund is recorded as succeeded in that same write. A card order's is then sent to Stripe with an
idempotency key of its own id; what Stripe answers is stored, and a refusal gives the amount
back (one more conditional write) and answers 409 ``refund_failed``. Once a refund succeeded,
``OrderRefunded`` is emitted (the buyer's e-mail, the organizers' notification); seats going back
on sale reach the public pages through the stream (chalicelib.streams.handlers).
"""

import logging
import uuid
from collections.abc import Sequence
from decimal import Decimal

from chalicelib.domain import orders as order_rules
from chalicelib.domain import refunds as rules
from chalicelib.domain.attendees import Seat, attendee_id
from chalicelib.domain.clock import now
from chalicelib.domain.errors import ConflictError, NotFoundError
from chalicelib.domain.money import to_minor_units
from chalicelib.domain.order_stock import seat_slots
from chalicelib.domain.payments import StripePayment
from chalicelib.payments import stripe_gateway
from chalicelib.services import attendees
from chalicelib.services.signals import OrderRefunded, OrderVoided, PaymentFlagged, emit
from chalicelib.store import audit, orders
from chalicelib.store import payments as payments_store
from chalicelib.store.availability import iso
from chalicelib.store.models.audit import AuditModel
from chalicelib.store.models.orders import OrderModel
from chalicelib.store.refunds import refunded_total_of, refunds_of, write_refunds
from chalicelib.store.retry import LostRace, retrying

logger = logging.getLogger("marquee.refunds")

# Every refund of the order that commits meanwhile costs a racer one attempt: ten at once fit.
ATTEMPTS = 16
BUSY = "This order is being refunded by someone else right now; reload it."
# Stripe's refund statuses, as the order keeps them.
_FROM_STRIPE = {"requires_action": rules.PENDING}


def our_status(provider_status: str) -> str:
    """A Stripe refund's status as ours; one this code does not know yet counts as pending (its
    webhook settles it)."""
    status = _FROM_STRIPE.get(provider_status, provider_status)
    return status if status in rules.STATUSES else rules.PENDING


def _seats(order: OrderModel) -> list[Seat]:
    return attendees.seats_of(order)


def _prices(order: OrderModel) -> dict[str, Decimal]:
    """The order's attendees a refund may name, with what each seat cost."""
    return {attendee_id(order.order_id, s.seat): s.unit_price for s in _seats(order)}


def _write(
    current: OrderModel,
    after: list[rules.Refund],
    audit_action: str,
    changed: rules.Refund,
    actor_id: str | None,
    reserving: bool = False,
) -> bool:
    """One conditional write of the order's refunds, with what they give back (attendees
    revoked, seats back on sale)."""
    # Each seat's ticket and the slot it came from: a seat given back goes back there.
    slots = seat_slots(orders.lines_of(current))
    seat_tickets = {attendee_id(current.order_id, s.seat): slots[s.seat - 1] for s in _seats(current)}
    status = rules.status_after(current.total, after, seat_tickets)
    release = rules.release_of(seat_tickets, refunds_of(current), after, current.status, status)
    record = _audit(current, actor_id, audit_action, changed, status, after)
    revoked = set(release.revoked)
    admitted = (
        {
            a.attendee_id: a.ticket_id
            for a in attendees.attendees_of(current)
            if a.attendee_id in revoked and a.checked_in_at
        }
        if revoked
        else {}
    )
    return write_refunds(
        current,
        after,
        status=status,
        release=release,
        checked_in=admitted,
        audit_record=record,
        actor_id=actor_id,
        moment=now(),
        reserving=reserving,
    )


def refund_order(
    order: OrderModel,
    actor_id: str,
    *,
    amount: Decimal | None,
    attendee_ids: Sequence[str] = (),
    reason: str | None = None,
) -> rules.Refund:
    """Refund ``amount`` of the order (None: all that is left). Returns the refund as stored."""
    refund_id = uuid.uuid4().hex
    if attendee_ids:
        # The attendees named are revoked in the refund's own write: they must exist by then.
        attendees.attendees_of(order)

    def attempt(fresh: bool) -> tuple[OrderModel, rules.Refund]:
        current = orders.get_order(order.order_id) if fresh else order
        existing = refunds_of(current)
        value = rules.plan_amount(
            status=orders.effective_status(current),
            total=current.total,
            refunded=refunded_total_of(current),
            currency=current.currency,
            amount=amount,
            attendee_ids=attendee_ids,
            prices=_prices(current),
            refunded_attendees=rules.named_attendees(existing, rules.COUNTING),
        )
        # Nothing to send to Stripe for seats that were free: only they go back.
        card = current.payment_provider == StripePayment.name and value > 0
        refund = rules.Refund(
            refund_id=refund_id,
            amount=value,
            status=rules.PENDING if card else rules.SUCCEEDED,
            reason=reason or None,
            attendee_ids=tuple(attendee_ids),
            created_at=iso(now()),
            created_by=actor_id,
        )
        if not _write(current, [*existing, refund], "order.refund", refund, actor_id, reserving=True):
            raise LostRace
        return current, refund

    current, refund = retrying(attempt, attempts=ATTEMPTS, busy=ConflictError(BUSY, code="busy"))
    if refund.status == rules.PENDING:
        changed = _through_stripe(current, refund, actor_id)
        if changed is None:
            # Stripe's answer was already stored (its webhook came first): announced there.
            fresh = orders.get_order(order.order_id)
            return next(r for r in refunds_of(fresh) if r.refund_id == refund_id)
        current, refund = changed
    _announce(current, refund, was=None)
    return refund


def _through_stripe(
    order: OrderModel, refund: rules.Refund, actor_id: str
) -> tuple[OrderModel, rules.Refund] | None:
    try:
        if not order.payment_reference:
            raise stripe_gateway.StripeFailed("This card order has no payment at Stripe to refund.")
        made = stripe_gateway.refund(
            payment_intent=order.payment_reference,
            amount=to_minor_units(refund.amount, order.currency),
            idempotency_key=f"refund-{refund.refund_id}",
            metadata={"order_id": order.order_id, "refund_id": refund.refund_id},
        )
    except (stripe_gateway.StripeFailed, stripe_gateway.StripeNotConfigured) as error:
        logger.warning("order %s: Stripe refused refund %s: %s", order.order_id, refund.refund_id, error)
        _change(order.order_id, refund.refund_id, rules.FAILED, None, actor_id)
        raise ConflictError(str(error), {"refund_id": refund.refund_id}, code="refund_failed") from error
    except Exception as error:
        # Stripe may have made it (a timeout after its answer): the refund stays pending, and its
        # webhook (which carries our refund id) settles it either way.
        logger.exception("order %s: refund %s not confirmed by Stripe", order.order_id, refund.refund_id)
        raise ConflictError(
            "Stripe did not confirm the refund yet; it shows as pending until Stripe does.",
            {"refund_id": refund.refund_id},
            code="refund_pending",
        ) from error
    return _change(order.order_id, refund.refund_id, our_status(made.status), made.refund_id, actor_id)


def apply_refund_update(
    order_id: str, provider_refund_id: str, status: str, refund_id: str | None = None
) -> bool:
    """What the provider says a refund became (``succeeded``, ``failed``, ``pending``,
    ``canceled``): stored once; a failed or canceled refund gives its amount back exactly once.
    False when the order has no refund ``provider_refund_id`` (or the status is unknown)."""
    status = _FROM_STRIPE.get(status, status)
    if status not in rules.STATUSES:
        return False
    try:
        current = orders.get_order(order_id)
    except NotFoundError:
        return False
    # By Stripe's id, or by ours in its metadata (the answer to our call may never have arrived).
    found = next(
        (
            r
            for r in refunds_of(current)
            if r.provider_refund_id == provider_refund_id or (refund_id and r.refund_id == refund_id)
        ),
        None,
    )
    if found is None:
        return False
    changed = _change(order_id, found.refund_id, status, provider_refund_id, None)
    if changed is not None:
        _announce(changed[0], changed[1], was=found.status)
    return True


def _change(
    order_id: str, refund_id: str, status: str, provider_refund_id: str | None, actor_id: str | None
) -> tuple[OrderModel, rules.Refund] | None:
    """Set one refund's status (and the provider's id for it). A refund that gave its amount back
    stays so, and a final status is never turned back into pending. None when nothing changed."""

    def attempt(_fresh: bool) -> tuple[OrderModel, rules.Refund] | None:
        current = orders.get_order(order_id)
        existing = refunds_of(current)
        target = next((r for r in existing if r.refund_id == refund_id), None)
        if target is None or target.status in rules.GIVEN_BACK:
            return None
        if target.status == status and (provider_refund_id or None) in (None, target.provider_refund_id):
            return None
        if status == rules.PENDING and target.status != rules.PENDING:
            return None
        if (
            target.status == rules.SUCCEEDED
            and status in rules.GIVEN_BACK
            and (current.status == order_rules.REFUNDED or target.attendee_ids)
        ):
            # Seats went back on sale (maybe resold) and attendees were revoked: taking them back
            # could oversell, giving the amount back would let them be released twice. The
            # organizers sort it out.
            payments_store.note_issue(current, "refund_failed")
            emit(PaymentFlagged(current, "refund_failed", f"{target.amount} {current.currency}"))
            return None
        changed = target._replace(
            status=status, provider_refund_id=provider_refund_id or target.provider_refund_id
        )
        after = [changed if r.refund_id == refund_id else r for r in existing]
        if not _write(current, after, f"order.refund_{status}", changed, actor_id):
            raise LostRace
        return current, changed

    return retrying(attempt, attempts=ATTEMPTS, busy=ConflictError(BUSY, code="busy"))


def _audit(
    order: OrderModel,
    actor_id: str | None,
    action: str,
    refund: rules.Refund,
    status: str,
    after: list[rules.Refund],
) -> AuditModel:
    return audit.audit_record(
        actor_id,
        action,
        event_id=order.event_id,
        target={"order_id": order.order_id, "buyer_id": order.buyer_id, "refund_id": refund.refund_id},
        before={"status": order.status, "refunded_total": str(refunded_total_of(order))},
        after={
            "status": status,
            "refunded_total": str(rules.refunded_sum(after, order.currency)),
            "refund": {"amount": str(refund.amount), "status": refund.status, "reason": refund.reason},
        },
    )


def _announce(order: OrderModel, refund: rules.Refund, was: str | None) -> None:
    if refund.status != rules.SUCCEEDED or was == rules.SUCCEEDED:
        return
    emit(OrderRefunded(order, refund))
    if order.status == order_rules.REFUNDED:
        emit(OrderVoided(order))
