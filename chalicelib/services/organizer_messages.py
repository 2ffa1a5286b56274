"""Organizer messages: the request checks and stores one (with its audit record) and answers;
its delivery to every valid attendee (of the chosen tickets) runs after the insert, from the
table's stream, one copy per address however often it runs."""

import logging
from typing import Any

from chalicelib.domain import organizer_messages as rules
from chalicelib.domain.errors import NotFoundError, ValidationError
from chalicelib.mail.suppression import why_not
from chalicelib.services import mailing
from chalicelib.store import events, ratelimit, tickets
from chalicelib.store import organizer_messages as store
from chalicelib.store.claims import claim, give_back
from chalicelib.store.mailing import address_key
from chalicelib.store.models.events import EventModel
from chalicelib.store.models.mailing import OrganizerMessageModel
from chalicelib.store.models.tickets import TicketModel
from chalicelib.store.models.users import UserModel
from chalicelib.store.transactions import Cancelled

logger = logging.getLogger("marquee.messages")

CLAIM_PURPOSE = "message"


def _check_tickets(ticket_ids: list[str] | None, event_tickets: list[TicketModel]) -> None:
    if ticket_ids is None:
        return
    known = {ticket.ticket_id for ticket in event_tickets}
    errors = {
        f"ticket_ids[{index}]": "No such ticket in this event."
        for index, ticket_id in enumerate(ticket_ids)
        if ticket_id not in known
    }
    if errors:
        raise ValidationError(errors)


def send_message(event: EventModel, sender: UserModel, payload: dict[str, Any]) -> OrganizerMessageModel:
    """Store the message to be delivered: 422 for a ticket not of the event, 429 past the limit
    (counted by the counter's conditional write, given back when the message is not stored)."""
    if payload.get("ticket_ids") is not None:
        _check_tickets(payload["ticket_ids"], tickets.list_tickets(event.event_id))
    reservation = ratelimit.consume(rules.MESSAGES_PER_EVENT, event.event_id)
    message = store.new_message(event.event_id, sender, payload)
    try:
        store.save_message(message, sender)
    except Cancelled:
        ratelimit.give_back(reservation)
        raise
    return message


def recipient_count(event_id: str, ticket_ids: list[str] | None) -> int:
    """Valid tickets of the chosen ticket types, from their ``sold`` counters (one Query of the
    event's ticket items, whatever the audience: refunds and voids lower ``sold``)."""
    event_tickets = tickets.list_tickets(event_id)
    _check_tickets(ticket_ids, event_tickets)
    chosen = None if ticket_ids is None else set(ticket_ids)
    return sum(int(ticket.sold) for ticket in event_tickets if chosen is None or ticket.ticket_id in chosen)


def deliver_inserted(event_id: str, sk: str) -> int:
    """The delivery of a message just stored (the events stream's insert of its item); nothing
    when the event or the message was deleted meanwhile."""
    message = store.get_message(event_id, sk)
    try:
        event = events.get_event(event_id)
    except NotFoundError:
        return 0
    return 0 if message is None else deliver(message, event)


class DeliveryIncomplete(RuntimeError):
    """SES refused some copies: the stream delivers the insert again, and the retry sends those."""


def deliver(message: OrganizerMessageModel, event: EventModel) -> int:
    """Mail the message to each valid attendee's address once: the claim (message x address) is
    taken before the mail goes, so a second or concurrent run skips it. A copy SES refused (its
    sending rate, an outage) gives its claim back and fails the run, so the stream's retry sends
    it. Returns the copies sent."""
    mailed = failed = 0
    for attendee in store.valid_attendees(message.event_id, message.ticket_ids):
        key = f"{CLAIM_PURPOSE}#{message.message_id}#{address_key(attendee.email)}"
        if not attendee.email or not claim(key):
            continue
        if why_not(attendee.email, mailing.ORGANIZER_MESSAGE, event.event_id) is not None:
            continue
        if mailing.organizer_message(attendee.email, event, message):
            mailed += 1
        else:
            give_back(key)
            failed += 1
    store.mark_sent(message, mailed)
    logger.info("message %s of event %s: %d copies sent", message.message_id, event.event_id, mailed)
    if failed:
        raise DeliveryIncomplete(f"message {message.message_id}: {failed} copies not taken by SES")
    return mailed
