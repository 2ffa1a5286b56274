"""The e-mails of organizer messages and reminders (templates of chalicelib.mail), and the
signed unsubscribe link an organizer message carries."""

import logging
from urllib.parse import quote

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.config import settings
from chalicelib.domain.organizer_messages import render_body
from chalicelib.domain.reminders import event_time_text
from chalicelib.domain.unsubscribe import unsubscribe_token
from chalicelib.store.models.attendees import AttendeeModel
from chalicelib.store.models.events import EventModel
from chalicelib.store.models.mailing import OrganizerMessageModel
from chalicelib.store.secrets import jwt_secret

logger = logging.getLogger("marquee.mail")


def _frontend() -> str:
    return settings().frontend_url.rstrip("/")


def unsubscribe_link(event_id: str, email: str) -> str:
    token = unsubscribe_token(jwt_secret(), event_id, email.strip().lower())
    return f"{_frontend()}/#/unsubscribe?token={quote(token)}"


def organizer_message(to: str, name: str, event: EventModel, message: OrganizerMessageModel) -> bool:
    """One attendee's copy; False when it did not go (unsubscribed, undeliverable, SES refused)."""
    from chalicelib import mail  # until the mail module is merged

    try:
        sent = mail.send(
            to,
            "organizer_message",
            unsubscribe_event=event.event_id,
            subject=message.subject,
            event_name=event.name,
            attendee_name=name,
            body_text=message.body,
            body_html=render_body(message.body),
            unsubscribe_url=unsubscribe_link(event.event_id, to),
        )
    except (ClientError, BotoCoreError):
        logger.exception("message %s: SES refused a copy", message.message_id)
        return False
    return sent is not None


def reminder(attendee: AttendeeModel, event: EventModel) -> bool:
    """The day-before reminder of one attendee's ticket; False when it did not go."""
    from chalicelib import mail

    try:
        sent = mail.send(
            attendee.email,
            "event_reminder",
            event_name=event.name,
            attendee_name=attendee.name,
            ticket_name=attendee.ticket_name,
            starts=event_time_text(event.starts_at, event.timezone),
            place=event.location_name,
            ticket_url=f"{_frontend()}/#/orders/{attendee.order_id}/tickets/{attendee.attendee_id}",
        )
    except (ClientError, BotoCoreError):
        logger.exception("reminder of attendee %s: SES refused it", attendee.attendee_id)
        return False
    return sent is not None
