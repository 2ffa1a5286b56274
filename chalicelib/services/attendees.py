"""Attendee use cases: an order's attendees (made when it completes, and again on read should
that have failed), the buyer's edits, and revoking them when the order is voided.

Whether a seat admits someone is decided at the door against the order too (a voided order's
attendees are refused even before this module revoked them), so revoking here is what the
check-in list shows, not the only guard."""

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from chalicelib.domain import attendees as rules
from chalicelib.domain import orders as order_rules
from chalicelib.domain import questions as question_rules
from chalicelib.domain.clock import now
from chalicelib.domain.errors import ConflictError, NotFoundError, ValidationError
from chalicelib.store import attendees as store
from chalicelib.store import questions
from chalicelib.store.models.attendees import AttendeeModel
from chalicelib.store.models.events import EventModel
from chalicelib.store.models.orders import OrderModel

logger = logging.getLogger("marquee.attendees")

# Orders whose seats are someone's: they have valid attendees.
LIVE = (order_rules.COMPLETED, order_rules.PARTIALLY_REFUNDED)


def seats_of(order: OrderModel) -> list[rules.Seat]:
    return rules.seats_of(order.lines, order.buyer_name, order.buyer_email)


def attendees_of(order: OrderModel) -> list[AttendeeModel]:
    """The order's attendees, by seat: a live order's missing ones are made now, a voided
    order's still valid ones revoked now (should the reaction to either have failed)."""
    found = store.order_attendees(order.event_id, order.order_id)
    if order.status in LIVE and len(found) < len(seats_of(order)):
        return store.create_missing(order, seats_of(order), found, now())
    if order.status not in LIVE and any(a.status == rules.VALID for a in found):
        store.revoke(found, now())
    return found


def make_attendees(order: OrderModel) -> list[AttendeeModel]:
    return store.create_missing(
        order, seats_of(order), store.order_attendees(order.event_id, order.order_id), now()
    )


def revoke_order(order: OrderModel) -> int:
    return store.revoke(store.order_attendees(order.event_id, order.order_id), now())


def order_attendee(order: OrderModel, attendee_id: str) -> AttendeeModel:
    parsed = rules.parse_attendee_id(attendee_id)
    if parsed is None or parsed[0] != order.order_id:
        raise NotFoundError("No such attendee of this order.")
    attendees_of(order)
    return store.get_attendee(order.event_id, order.order_id, parsed[1])


def update_attendee(
    order: OrderModel, event: EventModel, attendee_id: str, changes: Mapping[str, Any]
) -> AttendeeModel:
    """The buyer changes an attendee's name, e-mail and answers until the event starts; answers
    meet the event's questions for the attendee's ticket (422 at ``answers.<question_id>``)."""
    rules.check_editable(datetime.fromisoformat(event.starts_at), now())
    attendee = order_attendee(order, attendee_id)
    if "answers" in changes:
        errors: dict[str, str] = {}
        answers = question_rules.check_answers(
            questions.questions_of(event.event_id), attendee.ticket_id, changes["answers"], "answers", errors
        )
        if errors:
            raise ValidationError(errors)
        changes = {**changes, "answers": answers}
    return store.update_details(attendee, changes)


def ticket_code(order: OrderModel, attendee_id: str) -> str:
    """What the attendee's QR code carries; a revoked ticket has none to show (409)."""
    attendee = order_attendee(order, attendee_id)
    if attendee.status == rules.REVOKED:
        raise ConflictError(
            "This ticket was revoked (its order was cancelled or refunded): it admits nobody.",
            code="ticket_revoked",
        )
    return attendee.code
