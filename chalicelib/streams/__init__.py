"""Work after a change, driven by the tables' DynamoDB Streams (NEW_AND_OLD_IMAGES).

The events and orders tables stream every change of an item. ``app.py`` wires one
``@app.on_dynamodb_record`` function per table to :func:`dispatch`, which decodes the batch
(:class:`Change`: table, event name, keys, old and new images as plain values) and hands each
registered handler the changes of the items it asked for, all of a batch at once and in stream
order, so a handler can coalesce (one push per event, however many orders the batch holds).

Registering a handler (in ``chalicelib/streams/handlers.py``, loaded on the first batch)::

    from chalicelib.store.models.events import EVENTS_TABLE
    from chalicelib.streams import Change, on_items

    @on_items("TICKET#", table=EVENTS_TABLE)
    def tell_the_public_pages(changes: list[Change]) -> None:
        for change in changes:          # change.event_name: INSERT / MODIFY / REMOVE
            change.new, change.old      # dicts, or None for an insert's old / a removal's new
            change.became("status", "completed")

The prefix is matched against the item's sort key (``sk``), or its partition key when its table
has no sort key (an order's ``ORDER#<id>``); ``table`` is the table's name as its models have it
(``EVENTS_TABLE``, ``ORDERS_TABLE``) or its short name (``"events"``, ``"orders"``), and may be
left out.

Failures are isolated: each handler runs on its own (side by side in a small pool), and one that
raises is logged and does not keep the others from finishing their work. ``dispatch`` answers
Lambda's partial batch response (``{"batchItemFailures": [{"itemIdentifier": <sequence
number>}]}``) naming the earliest record a failed handler was given. Deployed, the event source
mappings report batch item failures (``manage.py provision --stage`` sets it), so Lambda delivers
the batch again from that record, with its retry limit and maximum record age; the local stack
does the same (devstack/streams.py). Every handler therefore sees a change at least once and must
be idempotent: pushes are (they send the current state), mail claims its send once per change
with a conditional put. A change a handler never gets right is dropped when the retries run
out, and logged each time.
"""

from chalicelib.streams.dispatch import dispatch, on_items, remove_handler
from chalicelib.streams.records import INSERT, MODIFY, REMOVE, Change

__all__ = ["INSERT", "MODIFY", "REMOVE", "Change", "dispatch", "on_items", "remove_handler"]
