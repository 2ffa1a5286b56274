"""The e-mails of organizer messages and reminders (templates of chalicelib.mail)."""

from chalicelib import mail
from chalicelib.domain.organizer_messages import render_body
from chalicelib.domain.reminders import event_time_text
from chalicelib.store.models.attendees import AttendeeModel
from chalicelib.store.models.events import EventModel
from chalicelib.store.models.mailing import OrganizerMessageModel

ORGANIZER_MESSAGE = "organizer_message"
EVENT_REMINDER = "event_reminder"


def organizer_message(to: str, event: EventModel, message: OrganizerMessageModel) -> bool:
    """One attendee's copy, with its signed unsubscribe link; False when it did not go
    (unsubscribed from the event, undeliverable, SES refused it)."""
    sent = mail.send_unsubscribable(
        to,
        ORGANIZER_MESSAGE,
        event.event_id,
        subject=message.subject,
        event_name=event.name,
        body_text=message.body,
        body_html=render_body(message.body),
    )
    return sent is not None


def reminder(attendee: AttendeeModel, event: EventModel) -> bool:
    """The day-before reminder of one attendee's ticket; False when it did not go."""
    sent = mail.send(
        attendee.email,
        EVENT_REMINDER,
        event_name=event.name,
        attendee_name=attendee.name,
        ticket_name=attendee.ticket_name,
        starts=event_time_text(event.starts_at, event.timezone),
        place=event.location_name,
        order_id=attendee.order_id,
        attendee_id=attendee.attendee_id,
    )
    return sent is not None
