"""Orders on the tables: the one transaction that places an order, the one that releases it
(cancel, expiry), the one that settles it (mark paid), and the reads of orders.

Placing an order is ONE TransactWriteItems: the idempotency record and the order (both
``attribute_not_exists``), the pending order's hold and one conditional counter update per slot
it takes from (the slot's capacity as read and ``held <= capacity - n``; an unsplit ticket's one
slot is its item, its capacity ``quantity``). None of these writes touch the event item, so two
orders share an item only when they take from the same slot (chalicelib.store.stock). What is
read beforehand (tickets, expired holds, the idempotency record) only validates and prices; it
never decides inventory. A failed ticket condition means the stock moved (``StockMoved``): the
use case reads again and either retries or answers ``sold_out`` from the fresh read.

Releasing an order (cancel, expiry) is one transaction conditioned on the order's status, so it
happens exactly once whoever races.
"""

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist, UpdateError
from pynamodb.expressions.condition import Condition

from chalicelib.domain import order_transitions as transitions
from chalicelib.domain import orders as rules
from chalicelib.domain.checkout import session_expiry
from chalicelib.domain.clock import now
from chalicelib.domain.codes import CodeTerms
from chalicelib.domain.errors import ConflictError, NotFoundError, ValidationError
from chalicelib.domain.order_stock import across_slots, allocate_lines
from chalicelib.domain.payments import DEFAULT_PROVIDER, PaymentConfirmation, StripePayment
from chalicelib.store import audit, codes, queue, stock
from chalicelib.store.availability import iso
from chalicelib.store.models.events import EventModel, event_pk
from chalicelib.store.models.orders import (
    HoldModel,
    IdempotencyModel,
    OrderModel,
    hold_sk,
    order_pk,
    sweep_bucket,
)
from chalicelib.store.models.users import UserModel
from chalicelib.store.pagination import decode_cursor, encode_cursor
from chalicelib.store.retry import LostRace, retrying
from chalicelib.store.transactions import CONFLICT, Cancelled, Transaction, transaction

MAX_ATTEMPTS = 8
CREATED = 201


def lines_of(order: OrderModel) -> list[rules.OrderLine]:
    return [rules.OrderLine.from_record(record) for record in order.lines]


def effective_status(order: OrderModel, moment: datetime | None = None) -> str:
    """A pending order past its expiry is expired, whether or not the sweep has run."""
    if rules.is_expired(order.status, order.expires_at, moment or now()):
        return rules.EXPIRED
    return order.status


# --- placing -------------------------------------------------------------------------------
class StockMoved(Exception):
    """A ticket's counters or quantity changed between the read and the write."""


class KeyTaken(Exception):
    """Another request with the same idempotency key committed first."""


def idempotency_record(key_pk: str) -> IdempotencyModel | None:
    try:
        return IdempotencyModel.get(key_pk, consistent_read=True)
    except DoesNotExist:
        return None


def new_order(
    event: EventModel,
    buyer: UserModel,
    priced: rules.PricedOrder,
    moment: datetime,
    code: CodeTerms | None = None,
) -> OrderModel:
    order_id = uuid.uuid4().hex
    pending = priced.status == rules.PENDING
    hold_ends = rules.hold_expiry(moment, event.order_hold_minutes)
    if event.payment_provider == StripePayment.name:
        # The card checkout stays payable as long as the hold lasts (at least Stripe's minimum).
        hold_ends = session_expiry(hold_ends, moment)
    expires_at = iso(hold_ends) if pending else None
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
        payment_provider=event.payment_provider or DEFAULT_PROVIDER,
        paid_at=None if pending else iso(moment),
        code=code.code if code else None,
        code_id=code.code_id if code else None,
        ver=1,
    )


def new_idempotency_record(key_pk: str, order: OrderModel, fingerprint: str) -> IdempotencyModel:
    return IdempotencyModel(
        key_pk,
        order_id=order.order_id,
        fingerprint=fingerprint,
        status_code=CREATED,
        created_at=order.created_at,
    )


class CodeMoved(Exception):
    """The order's code was used up or changed since it was read."""


class AdmissionTaken(Exception):
    """The waiting-room number was already spent on another order."""


def commit_new_order(
    order: OrderModel,
    record: IdempotencyModel,
    offers: Mapping[str, rules.TicketOffer],
    code: tuple[CodeTerms, int] | None = None,
    admission: int | None = None,
) -> None:
    """``code``: the code's terms and ``terms_ver`` as read; its use is taken in this transaction,
    like the waiting-room number ``admission`` (at most one order per number). The slots of split
    tickets are chosen here, from ``offers`` (as read), and kept on the lines."""
    try:
        lines = allocate_lines(lines_of(order), offers)
    except ValueError as error:
        # The slots as read are short of what the rules counted free (expired holds the use case
        # has just released, read before): read again.
        raise StockMoved from error
    order.lines = [line.to_record() for line in lines]
    changes = across_slots(rules.taking(lines, order.status), lines)
    try:
        with transaction() as write:
            write.save(record, condition=IdempotencyModel.pk.does_not_exist(), tag="idempotency")
            write.save(order, condition=OrderModel.pk.does_not_exist())
            if order.status == rules.PENDING:
                write.save(
                    HoldModel(
                        event_pk(order.event_id),
                        hold_sk(order.expires_at, order.order_id),
                        order_id=order.order_id,
                        expires_at=order.expires_at,
                        tickets=rules.per_ticket(lines),
                    )
                )
            for (ticket_id, index), change in changes.items():
                condition = stock.take_condition(list(offers[ticket_id].stock), index, change.held)
                stock.stage_change(write, order.event_id, ticket_id, index, change, condition)
            if code is not None:
                codes.stage_use(write, order.event_id, *code)
            if admission is not None:
                queue.stage_admission_use(write, order.event_id, admission, order.created_at)
    except Cancelled as cancelled:
        if cancelled.failed("idempotency"):
            raise KeyTaken from cancelled
        if cancelled.failed(queue.ADMISSION_TAG):
            raise AdmissionTaken from cancelled
        if cancelled.failed("code"):
            raise CodeMoved from cancelled
        raise StockMoved from cancelled


# --- releasing and settling ----------------------------------------------------------------


def close(order: OrderModel, status: str, actor_id: str | None, moment: datetime) -> bool:
    """Give back what ``order`` took and set ``status``, conditioned on the status read.

    Returns False when the order's status changed meanwhile (someone else closed or paid it).
    """
    condition = OrderModel.status == order.status
    if order.status == rules.PENDING:
        # The hold deleted below is the one read: a checkout that moved it meanwhile fails this.
        condition &= OrderModel.expires_at == order.expires_at
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

    lines = lines_of(order)
    giving_back = across_slots(rules.releasing(lines, order.status), lines)

    def attempt(_fresh: bool) -> bool:
        try:
            with transaction() as write:
                write.update(
                    OrderModel(order_pk(order.order_id)), actions=actions, condition=condition, tag="order"
                )
                if order.status == rules.PENDING:
                    write.delete(
                        HoldModel(event_pk(order.event_id), hold_sk(order.expires_at, order.order_id))
                    )
                for (ticket_id, index), change in giving_back.items():
                    stock.stage_change(write, order.event_id, ticket_id, index, change)
                if order.code_id:
                    codes.stage_give_back(write, order.event_id, order.code_id)
                write.save(status_change_record(order, status, actor_id))
        except Cancelled as cancelled:
            if cancelled.failed("order"):
                return False
            if CONFLICT in cancelled.codes:
                raise LostRace from cancelled
            if stock.slot_gone(cancelled):
                # The event was deleted (its tickets and holds with it): only the order is left to close.
                return _close_order_only(order, status, actions, condition)
            raise ConflictError("The change conflicts with another one; try again.") from cancelled
        _apply_close(order, status, actor_id, moment)
        return True

    return retrying(
        attempt,
        attempts=MAX_ATTEMPTS,
        busy=ConflictError("Many changes at once; try again in a moment.", code="busy"),
    )


def status_change_record(order: OrderModel, status: str, actor_id: str | None) -> Any:
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


def stage_settling(write: Transaction, order: OrderModel) -> None:
    """What paying a pending order does besides the order item: its hold goes, held seats become sold."""
    write.delete(HoldModel(event_pk(order.event_id), hold_sk(order.expires_at, order.order_id)))
    lines = lines_of(order)
    for (ticket_id, index), change in across_slots(rules.settling(lines), lines).items():
        stock.stage_change(write, order.event_id, ticket_id, index, change)


def mark_paid(order: OrderModel, confirmation: PaymentConfirmation, moment: datetime) -> OrderModel:
    """Pending -> completed: the hold becomes sold (availability does not move)."""
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
        with transaction() as write:
            write.update(OrderModel(order_pk(order.order_id)), actions=actions, condition=condition)
            stage_settling(write, order)
            write.save(status_change_record(order, rules.COMPLETED, confirmation.confirmed_by))
    except Cancelled as cancelled:
        fresh = get_order(order.order_id)
        transitions.check_mark_paid(fresh.status, fresh.expires_at, now())
        raise ConflictError("The change conflicts with another one; try again.") from cancelled
    order.status = rules.COMPLETED
    order.sweep_bucket = None
    order.paid_at = iso(moment)
    order.paid_by = confirmation.confirmed_by
    order.payment_reference = confirmation.reference or order.payment_reference
    order.ver = int(order.ver) + 1
    return order


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


def expiring_orders(bucket: int, moment: datetime) -> list[OrderModel]:
    """The pending orders of one sweep bucket whose expiry has passed."""
    return list(OrderModel.by_expiry.query(str(bucket), OrderModel.expires_at <= iso(moment)))
