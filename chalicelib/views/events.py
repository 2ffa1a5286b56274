"""An event as its team sees it, its version counters, and what the public sees of it."""

from decimal import Decimal
from typing import Any

from chalicelib.domain.events import EVENT, PUBLIC_EVENT_SUMMARY, VERSIONS
from chalicelib.domain.listing import price_range
from chalicelib.store.models.events import EventModel


def event_view(event: EventModel) -> dict[str, Any]:
    return EVENT.dump(event)


def versions_view(event: EventModel, tickets_ver: int) -> dict[str, int]:
    """``tickets_ver``: the table's writes and the orders' (chalicelib.store.tickets.tickets_version)."""
    return {**VERSIONS.dump(event), "tickets_ver": tickets_ver}


def public_event_summary(event: EventModel) -> dict[str, Any]:
    """What anyone may see of a published event: all but who created it."""
    return PUBLIC_EVENT_SUMMARY.dump(event)


def public_event_listing(event: EventModel, prices: list[Decimal]) -> dict[str, Any]:
    """A card of the public list: the event and its visible tickets' price range."""
    return {**public_event_summary(event), **price_range(prices)}


def public_event_view(event: EventModel, tickets: list[dict[str, Any]]) -> dict[str, Any]:
    return {**public_event_summary(event), "tickets": tickets}
