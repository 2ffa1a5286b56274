"""Event use cases that reach beyond the table: deleting an event also deletes its images."""

from collections.abc import Sequence

from chalicelib.media import storage
from chalicelib.store import events
from chalicelib.store.models.events import EventModel
from chalicelib.store.models.users import UserModel
from chalicelib.views.events import event_view


def delete_event(event: EventModel, expected: Sequence[int] | None, actor: UserModel) -> None:
    """The event and its partition (the audit keeps what it was), then its background renditions."""
    events.delete_event(event, expected, actor, snapshot=event_view(event))
    storage.delete_renditions(event.event_id)
