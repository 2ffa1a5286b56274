"""An event as its team sees it, its version counters, and what the public sees of it."""

from typing import Any

from chalicelib.store.models.events import VERSION_COUNTERS, EventModel


def event_view(event: EventModel) -> dict[str, Any]:
    return {
        "id": event.event_id,
        "name": event.name,
        "description": event.description,
        "location_name": event.location_name,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "timezone": event.timezone,
        "currency": event.currency,
        "state": event.state,
        "background_url": event.background_url,
        "background_variants": event.background_variants,
        "created_by": event.created_by,
        "created_at": event.created_at,
    }


def versions_view(event: EventModel) -> dict[str, int]:
    return {counter: int(getattr(event, counter)) for counter in VERSION_COUNTERS}


def public_event_summary(event: EventModel) -> dict[str, Any]:
    """What anyone may see of a published event: all but who created it."""
    view = event_view(event)
    del view["created_by"]
    return view


def public_event_view(event: EventModel, tickets: list[dict[str, Any]]) -> dict[str, Any]:
    return {**public_event_summary(event), "tickets": tickets}
