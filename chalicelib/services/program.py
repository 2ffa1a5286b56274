"""The public program of a published event: what its ETag is made of, and its items."""

from chalicelib.config import settings
from chalicelib.domain.errors import NotFoundError
from chalicelib.domain.program import Program, public_program
from chalicelib.store import events
from chalicelib.store.models.events import EventModel
from chalicelib.store.program import program_items

# The event item's counters the program's representations are made of: the event's own fields
# (name, dates, zone, place) and each of the five services.
PROGRAM_COUNTERS = (
    "event_ver",
    "tracks_ver",
    "sessions_ver",
    "speakers_ver",
    "sponsors_ver",
    "microlocations_ver",
)


def published_event(event_id: str) -> EventModel:
    event = events.get_published_event(event_id)
    if event is None:
        raise NotFoundError("No such published event.")
    return event


def program_versions(event: EventModel) -> list[int]:
    """One GetItem tells whether a client's copy is current: any write to a service bumps its
    counter on the event item, so the ETag moves with every change of what is shown."""
    return [int(getattr(event, counter)) for counter in PROGRAM_COUNTERS]


def program_of(event: EventModel) -> Program:
    return public_program(program_items(event.event_id))


def event_page_url(event: EventModel) -> str:
    return f"{settings().frontend_url.rstrip('/')}/#/e/{event.event_id}"


def public_session(program: Program, session_id: str) -> dict:
    found = program.session(session_id)
    if found is None:
        raise NotFoundError("No such session in this event's public program.")
    return found
