"""Orders: place (idempotent; inventory enforced by the conditions of one transaction), read,
list, cancel, mark paid, expire (the sweep), availability, and the pushes and notifications
that follow.

Placing an order is ONE TransactWriteItems: the idempotency record and the order (both
``attribute_not_exists``), the pending order's hold, one conditional counter update per ticket
(``quantity`` as read and ``held <= quantity - n``) and the event's ``tickets_ver`` bump. What is
read beforehand (tickets, expired holds, the idempotency record) only validates and prices; it
never decides inventory. A failed ticket condition means the stock moved: read again and either
retry or answer ``sold_out`` from the fresh read.

Releasing an order (cancel, expiry) is one transaction conditioned on the order's status, so it
happens exactly once whoever races. Expired holds are released by the sweep every minute and,
first, by the next order of one of their tickets; availability adds back those not yet released.
"""

import csv
import io
import logging
import random
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist, UpdateError
from pynamodb.expressions.condition import Condition

from chalicelib.domain import orders as rules
from chalicelib.domain.clock import now
from chalicelib.domain.errors import ConflictError, NotFoundError, ValidationError
from chalicelib.domain.events import PUBLISHED
from chalicelib.domain.payments import DEFAULT_PROVIDER, PaymentConfirmation, provider
from chalicelib.domain.permissions import ORGANIZER
from chalicelib.realtime.connections import connections_of
from chalicelib.realtime.notifier import push
from chalicelib.store import audit
from chalicelib.store.models.connections import event_channel
from chalicelib.store.models.events import EVENT_SK, EventModel, MembershipModel, event_pk
from chalicelib.store.models.orders import (
    HOLD_PREFIX,
    SWEEP_BUCKETS,
    HoldModel,
    IdempotencyModel,
    OrderModel,
    hold_sk,
    idempotency_pk,
    order_pk,
    sweep_bucket,
)
from chalicelib.store.models.tickets import TICKET_PREFIX, TicketModel, ticket_sk
from chalicelib.store.models.users import UserModel
from chalicelib.store.notifications import notify
from chalicelib.store.pagination import decode_cursor, encode_cursor
from chalicelib.store.transactions import CONFLICT, cancellation_of
from chalicelib.store.versions import versioned_write

logger = logging.getLogger("marquee.orders")

COUNTER = "tickets_ver"
MAX_ATTEMPTS = 8
CREATED = 201


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


# --- reading tickets and holds -------------------------------------------------------------


def _offer(ticket: TicketModel) -> rules.TicketOffer:
    return rules.TicketOffer(
        ticket_id=ticket.ticket_id,
        name=ticket.name,
        type=ticket.ticket_type,
        price=ticket.price,
        quantity=int(ticket.quantity),
        sold=int(ticket.sold),
        reserved=int(ticket.reserved),
        min_order=int(ticket.min_order),
        max_order=int(ticket.max_order),
        hidden=bool(ticket.hidden),
        sales_starts_at=ticket.sales_starts_at,
        sales_ends_at=ticket.sales_ends_at,
    )


def _tickets(event_id: str) -> list[TicketModel]:
    return list(
        TicketModel.query(event_pk(event_id), TicketModel.sk.startswith(TICKET_PREFIX), consistent_read=True)
    )


def expired_holds(event_id: str, moment: datetime | None = None) -> list[HoldModel]:
    """Holds of the event whose expiry has passed and that nothing has released yet.

    Holds sort by expiry, so this reads only expired ones (few: the sweep runs every minute).
    """
    upper = f"{HOLD_PREFIX}{iso(moment or now())}#~"
    return list(
        HoldModel.query(event_pk(event_id), HoldModel.sk.between(HOLD_PREFIX, upper), consistent_read=True)
    )


def expired_held(holds: Iterable[HoldModel]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for hold in holds:
        for ticket_id, quantity in hold.tickets.items():
            counts[ticket_id] = counts.get(ticket_id, 0) + int(quantity)
    return counts


def availability(event_id: str, tickets: list[TicketModel] | None = None) -> dict[str, int]:
    """Every ticket's ``available``, never counting an expired hold (released or not)."""
    extra = expired_held(expired_holds(event_id))
    return {
        t.ticket_id: rules.available(t.quantity, t.sold, t.reserved, extra.get(t.ticket_id, 0))
        for t in (tickets if tickets is not None else _tickets(event_id))
    }


# --- views ---------------------------------------------------------------------------------


def _lines(order: OrderModel) -> list[rules.OrderLine]:
    return [rules.OrderLine.from_record(record) for record in order.lines]


def effective_status(order: OrderModel, moment: datetime | None = None) -> str:
    """A pending order past its expiry is expired, whether or not the sweep has run."""
    if rules.is_expired(order.status, order.expires_at, moment or now()):
        return rules.EXPIRED
    return order.status


def order_view(order: OrderModel, with_buyer: bool = False) -> dict[str, Any]:
    status = effective_status(order)
    view: dict[str, Any] = {
        "id": order.order_id,
        "event_id": order.event_id,
        "event_name": order.event_name,
        "status": status,
        "items": [
            {**line.to_record(), "unit_price": line.unit_price, "subtotal": line.subtotal}
            for line in _lines(order)
        ],
        "total": order.total,
        "currency": order.currency,
        "created_at": order.created_at,
        "expires_at": order.expires_at,
        "paid_at": order.paid_at,
        "closed_at": order.closed_at,
        "payment": {"provider": order.payment_provider, "reference": order.payment_reference},
    }
    if status == rules.PENDING:
        view["payment"]["instructions"] = provider(order.payment_provider).instructions(
            order.total, order.currency
        )
    if with_buyer:
        view["buyer"] = {"id": order.buyer_id, "name": order.buyer_name, "email": order.buyer_email}
    return view


# --- transactions --------------------------------------------------------------------------


def _counter_actions(change: rules.CounterChange) -> list[Any]:
    actions = []
    if change.sold:
        actions.append(TicketModel.sold.add(change.sold))
    if change.reserved:
        actions.append(TicketModel.reserved.add(change.reserved))
    if change.held:
        actions.append(TicketModel.held.add(change.held))
    return actions


def _take_condition(offer: rules.TicketOffer, taking: int) -> Condition:
    limit = rules.held_limit(offer.quantity, taking)
    return (TicketModel.quantity == offer.quantity) & (
        TicketModel.held.does_not_exist() | (TicketModel.held <= limit)
    )


def _ticket_stub(event_id: str, ticket_id: str) -> TicketModel:
    return TicketModel(event_pk(event_id), ticket_sk(ticket_id))


def _pause(attempt: int) -> None:
    time.sleep(random.uniform(0, 0.01 * 2**attempt))


class _StockMoved(Exception):
    """A ticket's counters or quantity changed between the read and the write."""


class _KeyTaken(Exception):
    """Another request with the same idempotency key committed first."""


@dataclass
class PlacedOrder:
    order: OrderModel
    status_code: int
    replayed: bool


def _replay(key_pk: str, fingerprint: str) -> PlacedOrder | None:
    try:
        record = IdempotencyModel.get(key_pk, consistent_read=True)
    except DoesNotExist:
        return None
    if record.fingerprint != fingerprint:
        raise rules.key_reused()
    return PlacedOrder(get_order(record.order_id), int(record.status_code), replayed=True)


def _new_order(
    event: EventModel, buyer: UserModel, priced: rules.PricedOrder, moment: datetime
) -> OrderModel:
    order_id = uuid.uuid4().hex
    pending = priced.status == rules.PENDING
    expires_at = iso(rules.hold_expiry(moment, event.order_hold_minutes)) if pending else None
    return OrderModel(
        order_pk(order_id),
        order_id=order_id,
        event_id=event.event_id,
        event_name=event.name,
        buyer_id=buyer.user_id,
        buyer_name=buyer.name,
        buyer_email=buyer.email,
        status=priced.status,
        lines=[line.to_record() for line in priced.lines],
        total=priced.total,
        currency=event.currency,
        created_at=iso(moment),
        expires_at=expires_at,
        sweep_bucket=sweep_bucket(order_id) if pending else None,
        payment_provider=DEFAULT_PROVIDER,
        paid_at=None if pending else iso(moment),
        ver=1,
    )


def _commit_new_order(
    order: OrderModel, record: IdempotencyModel, offers: Mapping[str, rules.TicketOffer]
) -> None:
    lines = _lines(order)
    changes = rules.taking(lines, order.status)
    try:
        with versioned_write(order.event_id, [COUNTER]) as transaction:
            transaction.save(record, condition=IdempotencyModel.pk.does_not_exist(), tag="idempotency")
            transaction.save(order, condition=OrderModel.pk.does_not_exist())
            if order.status == rules.PENDING:
                transaction.save(
                    HoldModel(
                        event_pk(order.event_id),
                        hold_sk(order.expires_at, order.order_id),
                        order_id=order.order_id,
                        expires_at=order.expires_at,
                        tickets=rules.per_ticket(lines),
                    )
                )
            for ticket_id, change in changes.items():
                transaction.update(
                    _ticket_stub(order.event_id, ticket_id),
                    actions=_counter_actions(change),
                    condition=_take_condition(offers[ticket_id], change.held),
                )
    except ConflictError as error:
        cancelled = cancellation_of(error)
        if cancelled is not None and cancelled.failed("idempotency"):
            raise _KeyTaken from error
        raise _StockMoved from error


def place_order(event: EventModel, buyer: UserModel, key: str, payload: Mapping[str, Any]) -> PlacedOrder:
    """Create the buyer's order once per idempotency key (a retry returns the same order)."""
    items = rules.parse_order_request(payload)
    fingerprint = rules.request_fingerprint(event.event_id, items)
    key_pk = idempotency_pk(buyer.user_id, key)
    replay = _replay(key_pk, fingerprint)
    if replay is not None:
        return replay
    for attempt in range(MAX_ATTEMPTS):
        moment = now()
        # Holds first, tickets second: a release in between can only make this read optimistic,
        # and the write's conditions have the last word.
        holds = expired_holds(event.event_id, moment)
        offers = {t.ticket_id: _offer(t) for t in _tickets(event.event_id)}
        priced = rules.price_order(items, offers, event.ends_at, moment, expired_held(holds))
        wanted = {line.ticket_id for line in priced.lines}
        _release_expired(hold for hold in holds if wanted & set(hold.tickets))
        order = _new_order(event, buyer, priced, moment)
        record = IdempotencyModel(
            key_pk,
            order_id=order.order_id,
            fingerprint=fingerprint,
            status_code=CREATED,
            created_at=iso(moment),
        )
        try:
            _commit_new_order(order, record, offers)
        except _KeyTaken:
            replay = _replay(key_pk, fingerprint)
            if replay is not None:
                return replay
        except _StockMoved:
            _pause(attempt)
            continue
        else:
            _after_change(order.event_id)
            if order.status == rules.COMPLETED:
                _notify_organizers(order)
            return PlacedOrder(order, CREATED, replayed=False)
    raise ConflictError("Many people are ordering right now; try again in a moment.", code="busy")


def _close(order: OrderModel, status: str, actor_id: str | None, moment: datetime) -> bool:
    """Give back what ``order`` took and set ``status``, conditioned on the status read.

    Returns False when the order's status changed meanwhile (someone else closed or paid it).
    """
    condition = OrderModel.status == order.status
    if status == rules.EXPIRED:
        condition &= OrderModel.expires_at <= iso(moment)
    actions = [
        OrderModel.status.set(status),
        OrderModel.sweep_bucket.remove(),
        OrderModel.closed_at.set(iso(moment)),
        OrderModel.ver.add(1),
    ]
    if actor_id:
        actions.append(OrderModel.closed_by.set(actor_id))
    for attempt in range(MAX_ATTEMPTS):
        try:
            with versioned_write(order.event_id, [COUNTER]) as transaction:
                transaction.update(
                    OrderModel(order_pk(order.order_id)), actions=actions, condition=condition, tag="order"
                )
                if order.status == rules.PENDING:
                    transaction.delete(
                        HoldModel(event_pk(order.event_id), hold_sk(order.expires_at, order.order_id))
                    )
                for ticket_id, change in rules.releasing(_lines(order), order.status).items():
                    transaction.update(
                        _ticket_stub(order.event_id, ticket_id),
                        actions=_counter_actions(change),
                        condition=TicketModel.pk.exists(),
                    )
                transaction.save(_status_change_record(order, status, actor_id))
        except NotFoundError:
            # The event was deleted (its tickets and holds with it): only the order is left to close.
            return _close_order_only(order, status, actions, condition)
        except ConflictError as error:
            cancelled = cancellation_of(error)
            if cancelled is not None and cancelled.failed("order"):
                return False
            if cancelled is not None and CONFLICT in cancelled.codes:
                _pause(attempt)
                continue
            raise
        _apply_close(order, status, actor_id, moment)
        return True
    raise ConflictError("Many changes at once; try again in a moment.", code="busy")


def _status_change_record(order: OrderModel, status: str, actor_id: str | None) -> Any:
    """The audit item of a status change, written in the change's own transaction."""
    return audit.audit_record(
        actor_id,
        f"order.{status}",
        event_id=order.event_id,
        target={"order_id": order.order_id, "buyer_id": order.buyer_id},
        before={"status": order.status},
        after={"status": status},
    )


def _close_order_only(order: OrderModel, status: str, actions: list[Any], condition: Condition) -> bool:
    try:
        OrderModel(order_pk(order.order_id)).update(actions=actions, condition=condition)
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    order.status = status
    return True


def _apply_close(order: OrderModel, status: str, actor_id: str | None, moment: datetime) -> None:
    order.status = status
    order.sweep_bucket = None
    order.closed_at = iso(moment)
    order.closed_by = actor_id
    order.ver = int(order.ver) + 1


def _release_expired(holds: Iterable[HoldModel]) -> int:
    """Release the orders behind expired holds (each at most once, whoever else tries)."""
    released = 0
    for hold in holds:
        try:
            order = get_order(hold.order_id)
        except NotFoundError:
            continue
        if order.status == rules.PENDING and _close(order, rules.EXPIRED, None, now()):
            released += 1
    return released


# --- reading orders ------------------------------------------------------------------------


def get_order(order_id: str) -> OrderModel:
    if not (len(order_id) == 32 and all(c in "0123456789abcdef" for c in order_id)):
        raise NotFoundError("No such order.")
    try:
        return OrderModel.get(order_pk(order_id), consistent_read=True)
    except DoesNotExist as error:
        raise NotFoundError("No such order.") from error


def event_order(event_id: str, order_id: str) -> OrderModel:
    order = get_order(order_id)
    if order.event_id != event_id:
        raise NotFoundError("No such order in this event.")
    return order


def _filter(status: str | None) -> Condition | None:
    if status is None:
        return None
    if status not in rules.STATUSES:
        raise ValidationError({"status": f"Use one of {', '.join(rules.STATUSES)}."})
    return OrderModel.status == status


def list_event_orders(
    event_id: str, limit: int, cursor: str | None, status: str | None = None
) -> tuple[list[OrderModel], str | None]:
    page = OrderModel.by_event.query(
        event_id,
        scan_index_forward=False,
        limit=limit,
        last_evaluated_key=decode_cursor(cursor, f"orders:{event_id}:{status}"),
        filter_condition=_filter(status),
    )
    found = list(page)
    return found, encode_cursor(page.last_evaluated_key, f"orders:{event_id}:{status}")


def list_buyer_orders(buyer_id: str, limit: int, cursor: str | None) -> tuple[list[OrderModel], str | None]:
    page = OrderModel.by_buyer.query(
        buyer_id,
        scan_index_forward=False,
        limit=limit,
        last_evaluated_key=decode_cursor(cursor, f"my-orders:{buyer_id}"),
    )
    found = list(page)
    return found, encode_cursor(page.last_evaluated_key, f"my-orders:{buyer_id}")


def all_event_orders(event_id: str) -> list[OrderModel]:
    return list(OrderModel.by_event.query(event_id, scan_index_forward=True))


# --- changing orders -----------------------------------------------------------------------


def cancel_order(order: OrderModel, actor_id: str, is_organizer: bool) -> OrderModel:
    """The buyer while pending, the organizer (or staff) any time: releases exactly once."""
    for _ in range(MAX_ATTEMPTS):
        status = effective_status(order)
        rules.check_cancel(status, order.buyer_id == actor_id, is_organizer)
        if _close(order, rules.CANCELLED, actor_id, now()):
            _after_change(order.event_id)
            return order
        order = get_order(order.order_id)
    raise ConflictError("This order keeps changing; reload it.", code="busy")


def mark_paid(order: OrderModel, confirmation: PaymentConfirmation) -> OrderModel:
    """Pending -> completed: the hold becomes sold (availability does not move)."""
    moment = now()
    rules.check_mark_paid(order.status, order.expires_at, moment)
    actions = [
        OrderModel.status.set(rules.COMPLETED),
        OrderModel.sweep_bucket.remove(),
        OrderModel.paid_at.set(iso(moment)),
        OrderModel.paid_by.set(confirmation.confirmed_by),
        OrderModel.ver.add(1),
    ]
    if confirmation.reference:
        actions.append(OrderModel.payment_reference.set(confirmation.reference))
    condition = (OrderModel.status == rules.PENDING) & (OrderModel.expires_at > iso(moment))
    try:
        with versioned_write(order.event_id, [COUNTER]) as transaction:
            transaction.update(OrderModel(order_pk(order.order_id)), actions=actions, condition=condition)
            transaction.delete(HoldModel(event_pk(order.event_id), hold_sk(order.expires_at, order.order_id)))
            for ticket_id, change in rules.settling(_lines(order)).items():
                transaction.update(
                    _ticket_stub(order.event_id, ticket_id),
                    actions=_counter_actions(change),
                    condition=TicketModel.pk.exists(),
                )
            transaction.save(_status_change_record(order, rules.COMPLETED, confirmation.confirmed_by))
    except ConflictError:
        fresh = get_order(order.order_id)
        rules.check_mark_paid(fresh.status, fresh.expires_at, now())
        raise
    order.status = rules.COMPLETED
    order.sweep_bucket = None
    order.paid_at = iso(moment)
    order.paid_by = confirmation.confirmed_by
    order.payment_reference = confirmation.reference or order.payment_reference
    order.ver = int(order.ver) + 1
    _notify_organizers(order)
    return order


def sweep_expired_orders(moment: datetime | None = None) -> int:
    """Expire every pending order past its expiry and release its tickets (each exactly once).

    Run every minute by the scheduled function (and by manage.py / the local stack). Returns
    how many orders this run expired.
    """
    moment = moment or now()
    expired = 0
    events: set[str] = set()
    for bucket in range(SWEEP_BUCKETS):
        for order in OrderModel.by_expiry.query(str(bucket), OrderModel.expires_at <= iso(moment)):
            try:
                if order.status == rules.PENDING and _close(order, rules.EXPIRED, None, moment):
                    expired += 1
                    events.add(order.event_id)
            except Exception:
                logger.exception("could not expire order %s; the next sweep tries again", order.order_id)
    for event_id in events:
        _after_change(event_id)
    return expired


# --- what follows a change -----------------------------------------------------------------


def _after_change(event_id: str) -> None:
    """Tell the open public pages of the event the new availability (never fails the change)."""
    try:
        push_availability(event_id)
    except Exception:
        logger.exception("availability push for event %s failed", event_id)


def _is_published(event_id: str) -> bool:
    try:
        return EventModel.get(event_pk(event_id), EVENT_SK, attributes_to_get=["state"]).state == PUBLISHED
    except DoesNotExist:
        return False


def push_availability(event_id: str) -> int:
    """O(open connections of this event): one Query of its channel, nothing when nobody listens."""
    connections = connections_of(event_channel(event_id))
    # Pages that opened while the event was public hear nothing once it is a draft again.
    if not connections or not _is_published(event_id):
        return 0
    tickets = [t for t in _tickets(event_id) if not t.hidden]
    counts = availability(event_id, tickets)
    payload = {
        "meta": "availability",
        "event_id": event_id,
        "tickets": [{"id": t.ticket_id, "available": counts[t.ticket_id]} for t in tickets],
    }
    return push(connections, payload)


def _organizers(event_id: str) -> list[str]:
    memberships = MembershipModel.query(
        event_pk(event_id),
        MembershipModel.sk.startswith("ROLE#"),
        filter_condition=MembershipModel.role == ORGANIZER,
    )
    return [m.member_id for m in memberships]


def _notify_organizers(order: OrderModel) -> None:
    count = sum(line.quantity for line in _lines(order))
    title = f"New order for {order.event_name}"
    message = (
        f"{order.buyer_name} ordered {count} ticket{'s' if count != 1 else ''}"
        f" ({order.total} {order.currency})."
    )
    for organizer_id in _organizers(order.event_id):
        try:
            notify(organizer_id, "order_completed", title, message)
        except Exception:
            logger.exception("order %s: notifying organizer %s failed", order.order_id, organizer_id)


# --- exports -------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas: quote them."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv(header: list[str], rows: Iterable[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()


def orders_csv(event_id: str) -> str:
    def rows() -> Iterable[list[Any]]:
        for order in all_event_orders(event_id):
            lines = _lines(order)
            yield [
                order.order_id,
                effective_status(order),
                order.buyer_name,
                order.buyer_email,
                "; ".join(f"{line.quantity} x {line.name}" for line in lines),
                sum(line.quantity for line in lines),
                order.total,
                order.currency,
                order.created_at,
                order.paid_at,
                order.closed_at,
            ]

    header = ["order_id", "status", "buyer_name", "buyer_email", "items", "tickets", "total", "currency",
              "created_at", "paid_at", "closed_at"]  # fmt: skip
    return _csv(header, rows())


def attendees_csv(event_id: str) -> str:
    """One row per ticket of every completed order."""

    def rows() -> Iterable[list[Any]]:
        for order in all_event_orders(event_id):
            if order.status != rules.COMPLETED:
                continue
            for line in _lines(order):
                for seat in range(1, line.quantity + 1):
                    yield [order.buyer_name, order.buyer_email, line.name, line.type, line.unit_price,
                           order.currency, order.order_id, seat]  # fmt: skip

    header = ["name", "email", "ticket", "type", "price", "currency", "order_id", "seat"]
    return _csv(header, rows())
