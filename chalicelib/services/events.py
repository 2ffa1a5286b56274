"""Event use cases that reach beyond the table: deleting an event also deletes its images; the
public list reads each listed event's tickets for its price range."""

from collections.abc import Sequence
from decimal import Decimal

from chalicelib.domain import listing
from chalicelib.domain.clock import now
from chalicelib.media import storage
from chalicelib.store import events, tickets
from chalicelib.store.models.events import EventModel
from chalicelib.store.models.users import UserModel
from chalicelib.views.events import event_view


def delete_event(event: EventModel, expected: Sequence[int] | None, actor: UserModel) -> None:
    """The event and its partition (the audit keeps what it was), then its background renditions."""
    events.delete_event(event, expected, actor, snapshot=event_view(event))
    storage.delete_renditions(event.event_id)


# A search reads on through events that do not match to fill its page, but no further than this
# many events per request (a rare match beyond that comes with the next page's cursor).
MOST_EXAMINED_PER_PAGE = 500


def public_listing(
    limit: int, cursor: str | None, when: str, words: list[str]
) -> tuple[list[tuple[EventModel, list[Decimal]]], str | None]:
    """A page of the public list: (event, its visible tickets' prices) for the events of ``when``
    that match ``words``, and the next page's cursor. Reads pages of events until ``limit`` match
    (each read asks only for what is missing, so the cursor is exact); one Query of tickets per
    event listed (a page is at most 100 events; the list grows with events, not their audience)."""
    moment = now()
    shown: list[EventModel] = []
    examined = 0
    while True:
        wanted = limit - len(shown)
        if when == listing.PAST:
            found, cursor = events.list_published_events(wanted, cursor, before=moment.isoformat())
        else:
            since = (moment - listing.RUNNING_WINDOW).isoformat()
            found, cursor = events.list_published_events(wanted, cursor, since=since)
        examined += wanted
        shown += [
            event
            for event in found
            if listing.in_listing(event.ends_at, when, moment)
            and listing.matches(words, event.name, event.location_name, event.description)
        ]
        if len(shown) >= limit or cursor is None or examined >= MOST_EXAMINED_PER_PAGE:
            break
    return [
        (event, [t.price for t in tickets.list_tickets(event.event_id) if not t.hidden]) for event in shown
    ], cursor
