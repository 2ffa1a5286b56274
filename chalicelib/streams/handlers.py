"""What the stream does after a change: one handler per reaction (see chalicelib.streams)."""

import time

from chalicelib.services import checkins
from chalicelib.services.audience import push_coalesced
from chalicelib.services.pushes import push_availability
from chalicelib.store.models.tickets import TICKET_PREFIX
from chalicelib.streams.dispatch import on_items
from chalicelib.streams.records import MODIFY, Change

# What a ticket's availability on the public page is made of; and its door counts.
AVAILABILITY_FIELDS = ("quantity", "sold", "reserved", "held", "hidden")
COUNT_FIELDS = ("sold", "checked_in")


def _events_where(changes: list[Change], fields: tuple[str, ...]) -> set[str]:
    return {
        str(change.image["event_id"])
        for change in changes
        if change.event_name != MODIFY or change.changed(*fields)
    }


@on_items(TICKET_PREFIX, table="events")
def tell_the_public_pages(changes: list[Change]) -> None:
    """Tickets taken or given back (orders placed, paid, cancelled, expired, refunded) or edited:
    one availability message per event per second to its open public pages."""
    push_coalesced(
        "availability", _events_where(changes, AVAILABILITY_FIELDS), time.time(), push_availability
    )


@on_items(TICKET_PREFIX, table="events")
def tell_the_check_in_panels(changes: list[Change]) -> None:
    """Admissions and sold seats move the door counts organizers watch."""
    push_coalesced("checkins", _events_where(changes, COUNT_FIELDS), time.time(), checkins.push_counts)
