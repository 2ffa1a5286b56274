"""Finding the events a reminder is due for: a bounded read of the published events' index."""

from collections.abc import Iterator

from chalicelib.store.events import PUBLISHED
from chalicelib.store.models.events import EVENT_SK, EventModel


def published_starting_between(low: str, high: str) -> Iterator[EventModel]:
    """Published events whose stored ``starts_at`` text sorts between ``low`` and ``high`` (the
    ``by_listing`` index, keys only, page by page; each event then read whole in batches)."""
    ids = [
        item.pk for item in EventModel.by_listing.query(PUBLISHED, EventModel.starts_at.between(low, high))
    ]
    for at in range(0, len(ids), 100):
        yield from EventModel.batch_get([(pk, EVENT_SK) for pk in ids[at : at + 100]])
