"""Tickets live in their event's partition (``sk=TICKET#id``): one Query reads an event's table.

``sold`` and ``reserved`` are inventory counters that only orders change (conditionally, so
``sold + reserved <= quantity`` always holds); ticket edits never write them. A hot ticket's
inventory is split (chalicelib.domain.stock): the ticket item is its slot 0 with ``capacity`` of
the seats, and ``ShardModel`` items (``sk=STOCK#ticket_id#n``) hold the others."""

from decimal import Decimal
from typing import Any

from pynamodb.attributes import Attribute, BooleanAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.constants import STRING

from chalicelib.domain.stock import Slot
from chalicelib.store.models.base import BaseMeta, BaseModel
from chalicelib.store.models.events import EVENTS_TABLE

TICKET_PREFIX = "TICKET#"
SHARD_PREFIX = "STOCK#"


def ticket_sk(ticket_id: str) -> str:
    return f"{TICKET_PREFIX}{ticket_id}"


def shard_sk(ticket_id: str, index: int) -> str:
    return f"{SHARD_PREFIX}{ticket_id}#{index:02d}"


class DecimalStringAttribute(Attribute[Decimal]):
    """Money: stored as its decimal string ("12.50"), a Decimal in Python, never a float."""

    attr_type = STRING

    def serialize(self, value: Decimal) -> str:
        return str(value)

    def deserialize(self, value: Any) -> Decimal:
        return Decimal(value)


class TicketModel(BaseModel):
    owns_table = False

    class Meta(BaseMeta):
        table_name = EVENTS_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    ticket_id = UnicodeAttribute()
    event_id = UnicodeAttribute()
    name = UnicodeAttribute()
    name_key = UnicodeAttribute()
    ticket_type = UnicodeAttribute(attr_name="type")
    price = DecimalStringAttribute()
    # A donation's suggested amount (its price is the minimum); None: none suggested.
    suggested_price = DecimalStringAttribute(null=True)
    quantity = NumberAttribute()
    description = UnicodeAttribute(default="")
    sales_starts_at = UnicodeAttribute(null=True)
    sales_ends_at = UnicodeAttribute(null=True)
    min_order = NumberAttribute(default=1)
    max_order = NumberAttribute()
    hidden = BooleanAttribute(default=False)
    position = NumberAttribute(default=0)
    created_at = UnicodeAttribute()
    ver = NumberAttribute(default=1)
    sold = NumberAttribute(default=0)
    reserved = NumberAttribute(default=0)
    # Always sold + reserved, kept by orders in the same update: DynamoDB conditions cannot add
    # attributes, so an order taking n is written with `held <= quantity - n` (chalicelib.domain.orders).
    held = NumberAttribute(default=0)
    # Attendees of this ticket admitted at the door: ADD 1 in the transaction that admits them.
    checked_in = NumberAttribute(default=0)
    # ADD 1 by every write of the counters above (orders, refunds): with the shards' own, what the
    # ETags and the versions API count instead of a bump of the one event item all orders shared.
    stock_ver = NumberAttribute(default=0)
    # Split inventory: how many slots (1: not split) and, once split, slot 0's share of ``quantity``.
    slots = NumberAttribute(default=1)
    capacity = NumberAttribute(null=True)
    # Not stored: filled in by chalicelib.store.stock when the ticket is read, so what a write is
    # conditioned on travels with the ticket: its slots (slot 0 first) and each one's stock_ver.
    read_slots: tuple[Slot, ...] = ()
    read_versions: tuple[int, ...] = ()


class ShardModel(BaseModel):
    """Slot ``index`` (1..) of a split ticket: its own share of the seats and counters."""

    owns_table = False

    class Meta(BaseMeta):
        table_name = EVENTS_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    ticket_id = UnicodeAttribute()
    index = NumberAttribute()
    capacity = NumberAttribute()
    sold = NumberAttribute(default=0)
    reserved = NumberAttribute(default=0)
    held = NumberAttribute(default=0)
    stock_ver = NumberAttribute(default=0)
