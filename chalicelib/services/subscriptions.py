"""Unsubscribing from an event's organizer messages with the signed link of one of them (no
sign-in: the link is the proof), and undoing it. Transactional mail (receipts, reminders) still goes."""

from chalicelib.domain.unsubscribe import read_unsubscribe_token
from chalicelib.store import events, mailing
from chalicelib.store.models.events import EventModel
from chalicelib.store.secrets import jwt_secret

GONE = "The event of this link no longer exists."


def _read(token: str) -> tuple[EventModel, str]:
    event_id, email = read_unsubscribe_token(jwt_secret(), token)
    return events.get_event(event_id, GONE), email


def unsubscribe(token: str) -> tuple[EventModel, str, bool]:
    event, email = _read(token)
    mailing.unsubscribe(event.event_id, email)
    return event, email, False


def resubscribe(token: str) -> tuple[EventModel, str, bool]:
    event, email = _read(token)
    mailing.resubscribe(event.event_id, email)
    return event, email, True
