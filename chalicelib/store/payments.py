"""The writes a card payment makes on an order, each one transaction with its ledger record.

Every change a verified provider event causes is written together with that event's ledger
record (``store.payment_events.add_to``), so an event redelivered, or delivered twice at once,
cancels on the ledger's condition and changes nothing the second time. Each write is also
conditioned on the order's status as read: a cancel, the sweep or another event in between makes
it fail, and the use case reads again and decides afresh.
"""

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from chalicelib.domain import orders as rules
from chalicelib.domain.order_stock import across_slots, allocate_lines
from chalicelib.domain.stripe_events import PaymentEvent
from chalicelib.store import codes, payment_events, stock
from chalicelib.store.availability import iso
from chalicelib.store.models.events import event_pk
from chalicelib.store.models.orders import HoldModel, OrderModel, hold_sk, order_pk
from chalicelib.store.orders import lines_of, stage_settling, status_change_record
from chalicelib.store.transactions import Cancelled, Transaction, transaction

PROVIDER = "stripe"
ORDER_TAG = "order"


class Duplicate(Exception):
    """The provider event was applied before: nothing was written."""


class OrderMoved(Exception):
    """The order's status changed since it was read: read again."""


class SeatsGone(Exception):
    """A lapsed order's seats were taken by someone else meanwhile."""


def _ledger(transaction: Transaction, event: PaymentEvent, event_type: str, outcome: str) -> None:
    payment_events.add_to(transaction, PROVIDER, event.event_id, event_type, event.order_id, outcome)


def _committing(run: Any, *, ticket_tags: tuple[str, ...] = ()) -> None:
    try:
        run()
    except Cancelled as cancelled:
        _raise_for(cancelled, ticket_tags)


def _raise_for(cancelled: Cancelled, ticket_tags: tuple[str, ...]) -> None:
    if cancelled.failed(payment_events.PAYMENT_EVENT_TAG):
        raise Duplicate from cancelled
    if cancelled.failed(ORDER_TAG):
        raise OrderMoved from cancelled
    if ticket_tags and cancelled.failed(*ticket_tags):
        raise SeatsGone from cancelled
    raise OrderMoved from cancelled


def save_checkout(order: OrderModel, session_id: str, url: str, expires_at: datetime) -> None:
    """Keep the order's one checkout session, its hold lasting exactly as long as the session:
    the hold item (keyed by its expiry) moves in the same transaction. Raises OrderMoved when the
    order is no longer pending or another session was saved first."""
    new_expiry = iso(expires_at)
    condition = (
        (OrderModel.status == rules.PENDING)
        & OrderModel.checkout_session_id.does_not_exist()
        & (OrderModel.expires_at == order.expires_at)
    )

    def run() -> None:
        with transaction() as write:
            write.update(
                OrderModel(order_pk(order.order_id)),
                actions=[
                    OrderModel.checkout_session_id.set(session_id),
                    OrderModel.checkout_url.set(url),
                    OrderModel.expires_at.set(new_expiry),
                    OrderModel.ver.add(1),
                ],
                condition=condition,
                tag=ORDER_TAG,
            )
            if new_expiry != order.expires_at:
                write.delete(HoldModel(event_pk(order.event_id), hold_sk(order.expires_at, order.order_id)))
                write.save(
                    HoldModel(
                        event_pk(order.event_id),
                        hold_sk(new_expiry, order.order_id),
                        order_id=order.order_id,
                        expires_at=new_expiry,
                        tickets=rules.per_ticket(lines_of(order)),
                    )
                )

    _committing(run)
    order.checkout_session_id, order.checkout_url, order.expires_at = session_id, url, new_expiry
    order.ver = int(order.ver) + 1


def _paid_actions(event: PaymentEvent, moment: datetime) -> list[Any]:
    actions = [
        OrderModel.status.set(rules.COMPLETED),
        OrderModel.sweep_bucket.remove(),
        OrderModel.paid_at.set(iso(moment)),
        OrderModel.paid_by.set(PROVIDER),
        OrderModel.payment_issue.remove(),
        OrderModel.ver.add(1),
    ]
    if event.payment_intent:
        actions.append(OrderModel.payment_reference.set(event.payment_intent))
    return actions


def _mark_completed(order: OrderModel, event: PaymentEvent, moment: datetime) -> None:
    order.status = rules.COMPLETED
    order.sweep_bucket = None
    order.paid_at = iso(moment)
    order.paid_by = PROVIDER
    order.payment_issue = None
    order.payment_reference = event.payment_intent or order.payment_reference
    order.ver = int(order.ver) + 1


def complete_held(order: OrderModel, event: PaymentEvent, event_type: str, moment: datetime) -> None:
    """A pending order paid: its hold becomes sold. Conditioned on ``pending`` only, not on the
    expiry: while the order is pending its hold still stands, however late the payment is."""

    def run() -> None:
        with transaction() as write:
            write.update(
                OrderModel(order_pk(order.order_id)),
                actions=_paid_actions(event, moment),
                condition=OrderModel.status == rules.PENDING,
                tag=ORDER_TAG,
            )
            stage_settling(write, order)
            write.save(status_change_record(order, rules.COMPLETED, None))
            _ledger(write, event, event_type, "paid")

    _committing(run)
    _mark_completed(order, event, moment)


def retake_seats(
    order: OrderModel,
    event: PaymentEvent,
    event_type: str,
    offers: Mapping[str, rules.TicketOffer],
    moment: datetime,
) -> None:
    """A payment for an order whose hold lapsed (expired or cancelled): sell it its seats again,
    each ticket on the same condition a new order takes seats with (from the slots free now, which
    the lines then name). SeatsGone when they are not free."""
    try:
        lines = allocate_lines([line._replace(slots=()) for line in lines_of(order)], offers)
    except ValueError as error:
        raise SeatsGone from error
    taking = across_slots(rules.taking(lines, rules.COMPLETED), lines)
    tags = tuple(stock.stock_tag(ticket_id, index) for ticket_id, index in taking)

    def run() -> None:
        with transaction() as write:
            write.update(
                OrderModel(order_pk(order.order_id)),
                actions=[
                    *_paid_actions(event, moment),
                    OrderModel.lines.set([line.to_record() for line in lines]),
                    OrderModel.closed_at.remove(),
                    OrderModel.closed_by.remove(),
                ],
                condition=OrderModel.status == order.status,
                tag=ORDER_TAG,
            )
            for (ticket_id, index), change in taking.items():
                condition = stock.take_condition(list(offers[ticket_id].stock), index, change.held)
                stock.stage_change(write, order.event_id, ticket_id, index, change, condition)
            if order.code_id:
                codes.stage_take_again(write, order.event_id, order.code_id)
            write.save(status_change_record(order, rules.COMPLETED, None))
            _ledger(write, event, event_type, "paid_late")

    _committing(run, ticket_tags=tags)
    _mark_completed(order, event, moment)
    order.lines = [line.to_record() for line in lines]
    order.closed_at = order.closed_by = None


def refunded_unplaceable(
    order: OrderModel, event: PaymentEvent, event_type: str, refund: dict[str, Any], amount: Decimal
) -> None:
    """A late payment whose seats are gone, refunded at the provider: the order says so."""

    def run() -> None:
        transaction = Transaction()
        transaction.update(
            OrderModel(order_pk(order.order_id)),
            actions=[
                OrderModel.status.set(rules.REFUNDED),
                OrderModel.payment_reference.set(event.payment_intent or ""),
                OrderModel.payment_issue.set("paid_after_release"),
                OrderModel.refunds.set([*(order.refunds or []), refund]),
                OrderModel.refunded_total.set(amount),
                OrderModel.ver.add(1),
            ],
            condition=OrderModel.status == order.status,
            tag=ORDER_TAG,
        )
        transaction.save(status_change_record(order, rules.REFUNDED, None))
        _ledger(transaction, event, event_type, "refunded_late")
        transaction.commit()

    _committing(run)
    order.status = rules.REFUNDED
    order.payment_issue = "paid_after_release"
    order.refunds = [*(order.refunds or []), refund]
    order.refunded_total = amount
    order.payment_reference = event.payment_intent


def flag(order: OrderModel, event: PaymentEvent, event_type: str, issue: str) -> None:
    """Note on the order why a payment did not complete it (organizers are told)."""

    def run() -> None:
        transaction = Transaction()
        transaction.update(
            OrderModel(order_pk(order.order_id)),
            actions=[OrderModel.payment_issue.set(issue), OrderModel.ver.add(1)],
            condition=OrderModel.status == order.status,
            tag=ORDER_TAG,
        )
        _ledger(transaction, event, event_type, issue)
        transaction.commit()

    _committing(run)
    order.payment_issue = issue


def note_issue(order: OrderModel, issue: str) -> None:
    """Note a payment issue found after the fact (a refund Stripe failed after it succeeded)."""
    OrderModel(order_pk(order.order_id)).update(
        actions=[OrderModel.payment_issue.set(issue), OrderModel.ver.add(1)]
    )
    order.payment_issue = issue
    order.ver = int(order.ver) + 1
