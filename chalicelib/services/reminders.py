"""The reminder a day before an event (the scheduled job): every valid attendee of every
published event starting in the due window gets one, once per attendee however often or
concurrently the job runs (a claim per attendee, taken before the mail goes)."""

import logging
from datetime import datetime

from chalicelib.domain import reminders as rules
from chalicelib.domain.clock import now
from chalicelib.mail.suppression import why_not
from chalicelib.services import mailing
from chalicelib.store.claims import claim, give_back
from chalicelib.store.models.events import EventModel
from chalicelib.store.organizer_messages import valid_attendees
from chalicelib.store.reminders import published_starting_between

logger = logging.getLogger("marquee.reminders")

CLAIM_PURPOSE = "reminder"


def send_reminders(moment: datetime | None = None) -> int:
    """Remind the attendees of every event now due; returns the reminders this run sent."""
    start, end = rules.due_window(moment or now())
    sent = 0
    for event in published_starting_between(*rules.local_text_bounds(start, end)):
        if not rules.is_due(event.starts_at, start, end):
            continue
        # One event's failure (SES refusing, a throttled read) leaves the others reminded; its
        # claims keep the next run from mailing anyone of it twice.
        try:
            sent += remind_attendees(event)
        except Exception:
            logger.exception("reminders of event %s failed", event.event_id)
    return sent


def remind_attendees(event: EventModel) -> int:
    # A rescheduled event is a new start: its attendees are reminded of that one too.
    scope = f"{CLAIM_PURPOSE}#{event.event_id}#{event.starts_at}"
    sent = 0
    for attendee in valid_attendees(event.event_id, None):
        key = f"{scope}#{attendee.attendee_id}"
        if not attendee.email or not claim(key):
            continue
        if why_not(attendee.email, mailing.EVENT_REMINDER, None) is not None:
            continue
        if mailing.reminder(attendee, event):
            sent += 1
        else:
            # SES refused it (its rate, an outage): the job's next run, still in the window, sends it.
            give_back(key)
    return sent
