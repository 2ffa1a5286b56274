"""Tickets live in their event's partition (``sk=TICKET#id``): one Query reads an event's table.

``sold`` and ``reserved`` are inventory counters that only orders change (conditionally, so
``sold + reserved <= quantity`` always holds); ticket edits never write them."""

from decimal import Decimal
from typing import Any

from pynamodb.attributes import Attribute, BooleanAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.constants import STRING

from chalicelib.store.models.base import BaseMeta, BaseModel
from chalicelib.store.models.events import EVENTS_TABLE

TICKET_PREFIX = "TICKET#"


def ticket_sk(ticket_id: str) -> str:
    return f"{TICKET_PREFIX}{ticket_id}"


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
