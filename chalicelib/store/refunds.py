"""An order's refunds on the orders table: every change to them is ONE conditional write of the
order item, conditioned on the ``ver`` and ``refunded_total`` read (and, for a new refund, on the
order being refundable). The refunds are stored as one JSON list, so the ``ver`` condition keeps
two writers from overwriting each other's list; the ``refunded_total`` condition is the limit
itself: a refund is reserved only against the total as it still is, so concurrent refunds can
never give back more than was paid. The use case reads again and decides again when it loses.

What a change gives back (chalicelib.domain.refunds.release_of: the attendees a refund that
succeeded names, or every seat left once the order is refunded in full) is part of the same
transaction: those attendees revoked and the ``sold`` counters of the slots their seats came
from lowered; the audit record of the change is always part of the write.
"""

from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from chalicelib.domain import attendees as attendee_rules
from chalicelib.domain import orders as order_rules
from chalicelib.domain import refunds as rules
from chalicelib.domain.errors import ConflictError
from chalicelib.store import codes, stock
from chalicelib.store.attendees import attendee_stub, revoke_actions
from chalicelib.store.availability import iso
from chalicelib.store.models.attendees import AttendeeModel
from chalicelib.store.models.audit import AuditModel
from chalicelib.store.models.orders import OrderModel, order_pk
from chalicelib.store.models.tickets import TicketModel
from chalicelib.store.transactions import CONFLICT, Cancelled, transaction

ORDER_TAG = "order"
ATTENDEE_TAG = "attendee:"


def refunds_of(order: OrderModel) -> list[rules.Refund]:
    return [rules.Refund.from_record(record) for record in order.refunds or []]


def refunded_total_of(order: OrderModel) -> Decimal:
    return rules.in_currency(order.refunded_total or Decimal(0), order.currency)


def _condition(order: OrderModel, reserving: bool) -> Any:
    condition = OrderModel.ver == order.ver
    if order.refunded_total is None:
        condition &= OrderModel.refunded_total.does_not_exist()
    else:
        condition &= OrderModel.refunded_total == order.refunded_total
    if reserving:
        condition &= OrderModel.status.is_in(*rules.REFUNDABLE)
    return condition


def write_refunds(
    order: OrderModel,
    refunds: list[rules.Refund],
    *,
    status: str,
    release: rules.Release,
    audit_record: AuditModel,
    actor_id: str | None,
    moment: datetime,
    reserving: bool = False,
    checked_in: Mapping[str, str] | None = None,
) -> bool:
    """Store ``refunds`` as the order's (``refunded_total`` follows them), set ``status`` and give
    back ``release``.

    ``reserving``: a new refund, allowed only while the order is refundable. Returns False when
    the order changed since ``order`` was read (the caller reads again); on success ``order`` is
    updated in place."""
    refunded_total = rules.refunded_sum(refunds, order.currency)
    closing = status == order_rules.REFUNDED and order.status != order_rules.REFUNDED
    actions = [
        OrderModel.refunds.set([refund.to_record() for refund in refunds]),
        OrderModel.refunded_total.set(refunded_total),
        OrderModel.status.set(status),
        OrderModel.ver.add(1),
    ]
    if closing:
        actions += [OrderModel.closed_at.set(iso(moment))]
        if actor_id:
            actions.append(OrderModel.closed_by.set(actor_id))
    condition = _condition(order, reserving)
    give_back = order.code_id if closing else None
    try:
        if release.seats or release.revoked:
            _commit_releasing(
                order, actions, condition, audit_record, release, moment, give_back, checked_in or {}
            )
        else:
            _commit(order, actions, condition, audit_record, give_back)
    except _Lost:
        return False
    order.refunds = [refund.to_record() for refund in refunds]
    order.refunded_total = refunded_total
    order.status = status
    order.ver = int(order.ver) + 1
    if closing:
        order.closed_at = iso(moment)
        order.closed_by = actor_id or order.closed_by
    return True


class _Lost(Exception):
    """The order's condition failed, or another transaction touched it at the same moment."""


def _commit(
    order: OrderModel, actions: list[Any], condition: Any, audit_record: AuditModel, give_back: str | None
) -> None:
    try:
        with transaction() as write:
            write.update(
                OrderModel(order_pk(order.order_id)), actions=actions, condition=condition, tag=ORDER_TAG
            )
            if give_back:
                codes.stage_give_back(write, order.event_id, give_back)
            write.save(audit_record)
    except Cancelled as cancelled:
        if cancelled.failed(ORDER_TAG) or CONFLICT in cancelled.codes:
            raise _Lost from cancelled
        if give_back and cancelled.failed(codes.GIVE_BACK):
            # The code went with its event: there is no use to give back.
            _commit(order, actions, condition, audit_record, None)
            return
        raise


def _commit_releasing(
    order: OrderModel,
    actions: list[Any],
    condition: Any,
    audit_record: AuditModel,
    release: rules.Release,
    moment: datetime,
    give_back: str | None,
    checked_in: Mapping[str, str],
) -> None:
    """``checked_in``: the revoked attendees admitted at the door (as read) -> their tickets."""
    try:
        with transaction() as write:
            write.update(
                OrderModel(order_pk(order.order_id)), actions=actions, condition=condition, tag=ORDER_TAG
            )
            # ``checked_in`` is on the ticket item (slot 0), whichever slots the seats came from.
            admitted = Counter((ticket_id, 0) for ticket_id in checked_in.values())
            for ticket_id, index in sorted(set(release.seats) | set(admitted)):
                leaving = (
                    [TicketModel.checked_in.add(-admitted[(ticket_id, index)])]
                    if admitted[(ticket_id, index)]
                    else []
                )
                change = order_rules.CounterChange(sold=-release.seats.get((ticket_id, index), 0))
                stock.stage_change(write, order.event_id, ticket_id, index, change, extra=leaving)
            for attendee_id in release.revoked:
                seat = attendee_rules.parse_attendee_id(attendee_id)
                if seat is not None:
                    # Admitted or not as read: a scan meanwhile fails this and the refund is decided again.
                    door = (
                        AttendeeModel.checked_in_at.exists()
                        if attendee_id in checked_in
                        else AttendeeModel.checked_in_at.does_not_exist()
                    )
                    write.update(
                        attendee_stub(order.event_id, *seat),
                        actions=revoke_actions(moment),
                        condition=AttendeeModel.pk.exists() & door,
                        tag=f"{ATTENDEE_TAG}{attendee_id}",
                    )
            if give_back:
                codes.stage_give_back(write, order.event_id, give_back)
            write.save(audit_record)
    except Cancelled as cancelled:
        if (
            cancelled.failed(ORDER_TAG)
            or CONFLICT in cancelled.codes
            or any(tag.startswith(ATTENDEE_TAG) for tag in cancelled.reasons)
        ):
            raise _Lost from cancelled
        if stock.slot_gone(cancelled):
            # The event was deleted (its tickets and codes with it): nothing is left to give back.
            _commit(order, actions, condition, audit_record, None)
            return
        raise ConflictError("The change conflicts with another one; try again.") from cancelled
