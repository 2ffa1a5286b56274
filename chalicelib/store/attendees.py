"""Attendees on the events table (chalicelib.store.models.attendees).

Making an order's attendees is idempotent: ids and codes are derived from the order (its
``ticket_key`` is set once, with ``if_not_exists``), so two writers racing write the same items,
and only the seats still missing are written (a buyer's later edits are never overwritten)."""

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist, UpdateError

from chalicelib.domain import attendees as rules
from chalicelib.domain.errors import ConflictError, NotFoundError
from chalicelib.store.availability import iso
from chalicelib.store.models.attendees import (
    ATTENDEE_PREFIX,
    AttendeeCodeModel,
    AttendeeModel,
    attendee_sk,
    code_pk,
    order_attendees_prefix,
)
from chalicelib.store.models.events import event_pk
from chalicelib.store.models.orders import OrderModel, order_pk
from chalicelib.store.models.tickets import TicketModel, ticket_sk
from chalicelib.store.transactions import Cancelled, transaction

# A revocation racing scans reads the attendee again; a scan changes it once, so two tries do.
REVOKE_ATTEMPTS = 3


def ticket_key_of(order: OrderModel) -> str:
    """The order's code key, made on first use; whoever sets it first wins, the others read it."""
    if order.ticket_key:
        return order.ticket_key
    stub = OrderModel(order_pk(order.order_id))
    stub.update(actions=[OrderModel.ticket_key.set(OrderModel.ticket_key | rules.new_ticket_key())])
    order.ticket_key = stub.ticket_key
    return str(stub.ticket_key)


def order_attendees(event_id: str, order_id: str) -> list[AttendeeModel]:
    return list(
        AttendeeModel.query(
            event_pk(event_id),
            AttendeeModel.sk.startswith(order_attendees_prefix(order_id)),
            consistent_read=True,
        )
    )


def event_attendees(event_id: str) -> list[AttendeeModel]:
    """Every attendee of the event, by order then seat."""
    return list(
        AttendeeModel.query(
            event_pk(event_id), AttendeeModel.sk.startswith(ATTENDEE_PREFIX), consistent_read=True
        )
    )


def create_missing(
    order: OrderModel, seats: Iterable[rules.Seat], existing: Iterable[AttendeeModel], moment: datetime
) -> list[AttendeeModel]:
    """Write the seats that have no attendee yet (and their code lookups); returns them all."""
    key = ticket_key_of(order)
    have = {attendee.seat: attendee for attendee in existing}
    made: list[AttendeeModel] = []
    with AttendeeModel.batch_write() as batch:
        for seat in seats:
            if seat.seat in have:
                continue
            code = rules.seat_code(key, order.order_id, seat.seat)
            digest = rules.code_sha256(code)
            attendee = AttendeeModel(
                event_pk(order.event_id),
                attendee_sk(order.order_id, seat.seat),
                attendee_id=rules.attendee_id(order.order_id, seat.seat),
                event_id=order.event_id,
                order_id=order.order_id,
                seat=seat.seat,
                buyer_id=order.buyer_id,
                ticket_id=seat.ticket_id,
                ticket_name=seat.ticket_name,
                unit_price=str(seat.unit_price),
                name=seat.name,
                email=seat.email,
                answers=dict(seat.answers),
                code=code,
                code_sha256=digest,
                status=rules.VALID,
                created_at=iso(moment),
            )
            batch.save(attendee)
            batch.save(
                AttendeeCodeModel(
                    code_pk(digest), event_id=order.event_id, order_id=order.order_id, seat=seat.seat
                )
            )
            made.append(attendee)
    return sorted([*have.values(), *made], key=lambda attendee: int(attendee.seat))


def get_attendee(event_id: str, order_id: str, seat: int) -> AttendeeModel:
    try:
        return AttendeeModel.get(event_pk(event_id), attendee_sk(order_id, seat), consistent_read=True)
    except DoesNotExist as error:
        raise NotFoundError("No such attendee of this order.") from error


def update_details(attendee: AttendeeModel, changes: Mapping[str, Any]) -> AttendeeModel:
    """Set name / email / answers, conditioned on the version read (a concurrent edit -> 409)."""
    actions = [getattr(AttendeeModel, name).set(value) for name, value in changes.items()]
    actions.append(AttendeeModel.ver.add(1))
    try:
        attendee.update(actions=actions, condition=AttendeeModel.ver == attendee.ver)
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            raise ConflictError("This attendee was changed meanwhile; reload it.", code="busy") from error
        raise
    return attendee


def revoke_actions(moment: datetime) -> list[Any]:
    return [
        AttendeeModel.status.set(rules.REVOKED),
        AttendeeModel.revoked_at.set(iso(moment)),
        AttendeeModel.ver.add(1),
    ]


def attendee_stub(event_id: str, order_id: str, seat: int) -> AttendeeModel:
    return AttendeeModel(event_pk(event_id), attendee_sk(order_id, seat))


def revoke(attendees: Iterable[AttendeeModel], moment: datetime) -> int:
    """Revoke those still valid (each once); returns how many this call revoked. One admitted at
    the door leaves its ticket's ``checked_in`` count in the same transaction (the counts are of
    valid attendees); a scan meanwhile makes this read the attendee again."""
    revoked = 0
    for attendee in attendees:
        for _ in range(REVOKE_ATTEMPTS):
            if attendee.status != rules.VALID:
                break
            if _revoke_one(attendee, moment):
                revoked += 1
                break
            attendee = get_attendee(attendee.event_id, attendee.order_id, int(attendee.seat))
    return revoked


def _revoke_one(attendee: AttendeeModel, moment: datetime) -> bool:
    admitted = attendee.checked_in_at is not None
    door = AttendeeModel.checked_in_at.exists() if admitted else AttendeeModel.checked_in_at.does_not_exist()
    try:
        with transaction() as write:
            write.update(
                attendee_stub(attendee.event_id, attendee.order_id, int(attendee.seat)),
                actions=revoke_actions(moment),
                condition=(AttendeeModel.status == rules.VALID) & door,
            )
            if admitted:
                write.update(
                    TicketModel(event_pk(attendee.event_id), ticket_sk(attendee.ticket_id)),
                    actions=[TicketModel.checked_in.add(-1)],
                    condition=TicketModel.pk.exists(),
                )
    except Cancelled:
        return False
    return True
