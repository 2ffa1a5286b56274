"""What the stream does after a change: one handler per reaction (see chalicelib.streams)."""

from chalicelib.services import organizer_messages
from chalicelib.store.models.mailing import MESSAGE_PREFIX
from chalicelib.streams.dispatch import on_items
from chalicelib.streams.records import INSERT, Change


@on_items(MESSAGE_PREFIX, table="events")
def deliver_organizer_messages(changes: list[Change]) -> None:
    """A message an organizer just wrote goes to its recipients (once each, however often this runs)."""
    for change in changes:
        if change.event_name == INSERT:
            organizer_messages.deliver_inserted(
                str(change.keys["pk"]).removeprefix("EVENT#"), str(change.keys["sk"])
            )
