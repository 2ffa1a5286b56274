"""Organizer messages in their event's partition (chalicelib.store.models.mailing)."""

import uuid
from collections.abc import Iterator
from typing import Any

from pynamodb.exceptions import DoesNotExist

from chalicelib.domain import organizer_messages as rules
from chalicelib.domain.attendees import VALID
from chalicelib.domain.clock import now_iso
from chalicelib.store.audit import audit_record
from chalicelib.store.models.attendees import ATTENDEE_PREFIX, AttendeeModel
from chalicelib.store.models.events import event_pk
from chalicelib.store.models.mailing import MESSAGE_PREFIX, OrganizerMessageModel, message_sk
from chalicelib.store.models.users import UserModel
from chalicelib.store.transactions import transaction


def new_message(event_id: str, sender: UserModel, clean: dict[str, Any]) -> OrganizerMessageModel:
    created_at, message_id = now_iso(), uuid.uuid4().hex
    return OrganizerMessageModel(
        event_pk(event_id),
        message_sk(created_at, message_id),
        message_id=message_id,
        event_id=event_id,
        subject=clean["subject"],
        body=clean["body"],
        ticket_ids=clean.get("ticket_ids"),
        sender_id=sender.user_id,
        sender_email=sender.email,
        created_at=created_at,
        status=rules.QUEUED,
    )


def save_message(message: OrganizerMessageModel, sender: UserModel) -> None:
    """The message and its audit record, together or not at all (its insert starts the delivery)."""
    record = audit_record(
        sender,
        rules.ORGANIZER_MESSAGE_ACTION,
        event_id=message.event_id,
        target={"type": "message", "id": message.message_id},
        after={"subject": message.subject, "ticket_ids": message.ticket_ids},
    )
    with transaction() as tx:
        tx.save(message, OrganizerMessageModel.pk.does_not_exist(), tag="message")
        tx.save(record, tag="audit")


def get_message(event_id: str, sk: str) -> OrganizerMessageModel | None:
    try:
        return OrganizerMessageModel.get(event_pk(event_id), sk, consistent_read=True)
    except DoesNotExist:
        return None


def list_messages(event_id: str) -> list[OrganizerMessageModel]:
    """The event's messages, newest first."""
    return list(
        OrganizerMessageModel.query(
            event_pk(event_id),
            OrganizerMessageModel.sk.startswith(MESSAGE_PREFIX),
            scan_index_forward=False,
            consistent_read=True,
        )
    )


def mark_sent(message: OrganizerMessageModel, mailed: int) -> None:
    """Record a delivery run: ``mailed`` copies went in this run (a second run adds the few its
    claims let through, usually none, so the total counts each copy once)."""
    message.update(
        actions=[
            OrganizerMessageModel.status.set(rules.SENT),
            OrganizerMessageModel.recipients.add(mailed),
            OrganizerMessageModel.sent_at.set(now_iso()),
        ]
    )


def valid_attendees(event_id: str, ticket_ids: list[str] | None) -> Iterator[AttendeeModel]:
    """The event's valid attendees (of these tickets only, when given), page by page as DynamoDB
    returns them: the reader decides how far to go, nothing is held in memory at once."""
    condition = AttendeeModel.status == VALID
    if ticket_ids is not None:
        condition &= AttendeeModel.ticket_id.is_in(*ticket_ids)
    yield from AttendeeModel.query(
        event_pk(event_id),
        AttendeeModel.sk.startswith(ATTENDEE_PREFIX),
        filter_condition=condition,
        attributes_to_get=[
            "pk",
            "sk",
            "attendee_id",
            "email",
            "name",
            "ticket_id",
            "ticket_name",
            "order_id",
            "status",
        ],
    )
