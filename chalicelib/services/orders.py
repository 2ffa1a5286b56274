"""Order use cases: place (idempotent), cancel, mark paid, and the sweep that expires holds.

Each decides with the domain rules, writes with one transaction of ``store.orders`` and, once it
committed, announces what changed: ``OrderCompleted`` when an order is paid for (or free), and
the like; the notifications that follow are subscribers (chalicelib.services.subscribers). Tickets
taken or given back reach the open public pages through the stream (chalicelib.streams.handlers).
"""

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.domain import order_transitions as transitions
from chalicelib.domain import orders as rules
from chalicelib.domain.clock import now
from chalicelib.domain.errors import ConflictError, NotFoundError
from chalicelib.domain.payments import PaymentConfirmation
from chalicelib.domain.waiting_room import admission_used
from chalicelib.services import codes as code_cases
from chalicelib.services import queue as queue_cases
from chalicelib.services import refunds
from chalicelib.services.signals import (
    CheckoutAbandoned,
    OrderCompleted,
    OrderVoided,
    emit,
)
from chalicelib.store import availability, orders, questions
from chalicelib.store.models.events import EventModel
from chalicelib.store.models.orders import SWEEP_BUCKETS, HoldModel, OrderModel, idempotency_pk
from chalicelib.store.models.users import UserModel
from chalicelib.store.retry import LostRace, retrying

logger = logging.getLogger("marquee.orders")


@dataclass
class PlacedOrder:
    order: OrderModel
    status_code: int
    replayed: bool


def _replay(key_pk: str, fingerprint: str) -> PlacedOrder | None:
    record = orders.idempotency_record(key_pk)
    if record is None:
        return None
    if record.fingerprint != fingerprint:
        raise rules.key_reused()
    return PlacedOrder(orders.get_order(record.order_id), int(record.status_code), replayed=True)


def place_order(
    event: EventModel, buyer: UserModel, key: str, payload: Mapping[str, Any], admission: str | None = None
) -> PlacedOrder:
    """Create the buyer's order once per idempotency key (a retry returns the same order). While
    the waiting room is on, ``admission`` is spent by the order's own transaction."""
    items = rules.parse_order_request(payload)
    code_text = rules.requested_code(payload)
    fingerprint = rules.request_fingerprint(event.event_id, items, code_text)
    key_pk = idempotency_pk(buyer.user_id, key)
    replay = _replay(key_pk, fingerprint)
    if replay is not None:
        return replay
    number = queue_cases.admitted_number(event, admission)

    def attempt(_fresh: bool) -> PlacedOrder:
        moment = now()
        code = (
            code_cases.usable_code(event.event_id, code_text, moment, f"user:{buyer.user_id}")
            if code_text
            else None
        )
        terms = code[0] if code else None
        # Holds first, tickets second: a release in between can only make this read optimistic,
        # and the write's conditions have the last word.
        holds = availability.expired_holds(event.event_id, moment)
        offers = availability.offers(event.event_id)
        priced = rules.price_order(
            items,
            offers,
            event.ends_at,
            moment,
            availability.expired_held(holds),
            currency=event.currency,
            code=terms,
            questions=questions.questions_of(event.event_id),
        )
        wanted = {line.ticket_id for line in priced.lines}
        release_expired(hold for hold in holds if wanted & set(hold.tickets))
        order = orders.new_order(event, buyer, priced, moment, terms)
        try:
            orders.commit_new_order(
                order,
                orders.new_idempotency_record(key_pk, order, fingerprint),
                offers,
                code,
                admission=number,
            )
        except orders.KeyTaken as taken:
            replay = _replay(key_pk, fingerprint)
            if replay is not None:
                return replay
            raise LostRace from taken
        except orders.AdmissionTaken as taken:
            raise admission_used() from taken
        except (orders.StockMoved, orders.CodeMoved) as moved:
            raise LostRace from moved
        if order.status == rules.COMPLETED:
            emit(OrderCompleted(order))
        return PlacedOrder(order, orders.CREATED, replayed=False)

    return retrying(
        attempt,
        attempts=orders.MAX_ATTEMPTS,
        busy=ConflictError("Many people are ordering right now; try again in a moment.", code="busy"),
    )


def release_expired(holds: Iterable[HoldModel]) -> int:
    """Release the orders behind expired holds (each at most once, whoever else tries)."""
    released = 0
    for hold in holds:
        try:
            order = orders.get_order(hold.order_id)
        except NotFoundError:
            continue
        if order.status == rules.PENDING and orders.close(order, rules.EXPIRED, None, now()):
            released += 1
    return released


def cancel_order(
    order: OrderModel, actor_id: str, is_organizer: bool, refund_deadline: str | None = None
) -> OrderModel:
    """The buyer while pending (and a paid order until ``refund_deadline``), the organizer (or
    staff) any time. A pending or free order is released exactly once; a paid one is refunded in
    full, which gives its seats back."""

    def attempt(fresh: bool) -> tuple[OrderModel, bool, str]:
        current = orders.get_order(order.order_id) if fresh else order
        status = orders.effective_status(current)
        transitions.check_cancel(status, current.buyer_id == actor_id, is_organizer, refund_deadline, now())
        if transitions.cancel_refunds(status, current.total):
            return current, True, status
        if not orders.close(current, rules.CANCELLED, actor_id, now()):
            raise LostRace
        return current, False, status

    cancelled, refunding, was = retrying(
        attempt,
        attempts=orders.MAX_ATTEMPTS,
        busy=ConflictError("This order keeps changing; reload it.", code="busy"),
    )
    if refunding:
        refunds.refund_order(cancelled, actor_id, amount=None, reason="Order cancelled")
        return orders.get_order(cancelled.order_id)
    if was == rules.COMPLETED:
        emit(OrderVoided(cancelled))
    if was == rules.PENDING and cancelled.checkout_session_id:
        emit(CheckoutAbandoned(cancelled))
    return cancelled


def mark_paid(order: OrderModel, confirmation: PaymentConfirmation) -> OrderModel:
    """Pending -> completed: the hold becomes sold (availability does not move)."""
    moment = now()
    transitions.check_mark_paid(order.status, order.expires_at, moment)
    paid = orders.mark_paid(order, confirmation, moment)
    emit(OrderCompleted(paid))
    return paid


def sweep_expired_orders(moment: datetime | None = None) -> int:
    """Expire every pending order past its expiry and release its tickets (each exactly once).

    Run every minute by the scheduled function (and by manage.py / the local stack). Returns
    how many orders this run expired.
    """
    moment = moment or now()
    expired = 0
    for bucket in range(SWEEP_BUCKETS):
        for order in orders.expiring_orders(bucket, moment):
            try:
                if order.status == rules.PENDING and orders.close(order, rules.EXPIRED, None, moment):
                    expired += 1
            except Exception:
                logger.exception("could not expire order %s; the next sweep tries again", order.order_id)
    return expired
