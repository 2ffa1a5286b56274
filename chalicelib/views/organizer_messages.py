"""Organizer messages as their event's organizers see them."""

from typing import Any

from chalicelib.domain.organizer_messages import render_body
from chalicelib.store.models.events import EventModel
from chalicelib.store.models.mailing import OrganizerMessageModel


def message_view(message: OrganizerMessageModel) -> dict[str, Any]:
    return {
        "id": message.message_id,
        "subject": message.subject,
        "body": message.body,
        "html": render_body(message.body),
        "ticket_ids": message.ticket_ids,
        "status": message.status,
        "recipients": None if message.recipients is None else int(message.recipients),
        "created_at": message.created_at,
        "sent_at": message.sent_at,
        "sender": {"id": message.sender_id, "email": message.sender_email},
    }


def subscription_view(event: EventModel, email: str, subscribed: bool) -> dict[str, Any]:
    return {"event": {"id": event.event_id, "name": event.name}, "email": email, "subscribed": subscribed}
