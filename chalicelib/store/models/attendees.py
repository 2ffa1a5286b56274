"""Attendees live in their event's partition, one item per seat of a completed order
(``sk=ATTENDEE#<order_id>#<seat:04d>``): one Query reads an event's check-in list, one with the
order's prefix reads an order's attendees. A code lookup item (``pk=CODE#<sha256 of the code>``)
finds the attendee a scanned code belongs to, in any event; the check-in list carries only the
hash, never the code."""

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.store.models.base import BaseMeta, BaseModel
from chalicelib.store.models.events import EVENTS_TABLE

ATTENDEE_PREFIX = "ATTENDEE#"
CODE_SK = "CODE"


def attendee_sk(order_id: str, seat: int) -> str:
    return f"{ATTENDEE_PREFIX}{order_id}#{seat:04d}"


def order_attendees_prefix(order_id: str) -> str:
    return f"{ATTENDEE_PREFIX}{order_id}#"


def code_pk(code_sha256: str) -> str:
    return f"CODE#{code_sha256}"


class AttendeeModel(BaseModel):
    owns_table = False

    class Meta(BaseMeta):
        table_name = EVENTS_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    attendee_id = UnicodeAttribute()
    event_id = UnicodeAttribute()
    order_id = UnicodeAttribute()
    seat = NumberAttribute()
    buyer_id = UnicodeAttribute()
    ticket_id = UnicodeAttribute()
    ticket_name = UnicodeAttribute()
    # What the seat cost (a decimal string): what refunding this attendee gives back by default.
    unit_price = UnicodeAttribute()
    name = UnicodeAttribute(default="")
    email = UnicodeAttribute(default="")
    # {question_id: value} as the buyer answered (chalicelib.domain.questions checks them).
    answers = JSONAttribute(default=dict)
    code = UnicodeAttribute()
    code_sha256 = UnicodeAttribute()
    status = UnicodeAttribute(default="valid")
    revoked_at = UnicodeAttribute(null=True)
    checked_in_at = UnicodeAttribute(null=True)
    # The scan that admitted the attendee: that scan sent again answers ``ok`` again.
    checked_in_scan = UnicodeAttribute(null=True)
    checked_in_device = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    ver = NumberAttribute(default=1)


class AttendeeCodeModel(BaseModel):
    """``pk=CODE#<sha256>``: which event's attendee a code is (the scan's first read)."""

    owns_table = False

    class Meta(BaseMeta):
        table_name = EVENTS_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default=CODE_SK)
    event_id = UnicodeAttribute()
    order_id = UnicodeAttribute()
    seat = NumberAttribute()
