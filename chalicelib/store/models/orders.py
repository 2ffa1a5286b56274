"""Orders, their idempotency records, and the holds pending orders keep on tickets.

The orders table (``pk=ORDER#<id>``) is read by id, by event (organizer list, CSV), by buyer
("my orders") and, through a sparse index present only while an order is pending, by expiry
(the sweep). Idempotency records share the table (``pk=IDEM#<user>#<key digest>``) so that one
transaction can put both with ``attribute_not_exists``.

Holds live in the event's partition (``sk=HOLD#<expires_at>#<order_id>``), sorted by expiry:
one strongly consistent Query finds the event's expired holds, which availability counts as
free until they are released.
"""

import hashlib

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.store.models.base import BaseMeta, BaseModel, table_name
from chalicelib.store.models.events import EVENTS_TABLE
from chalicelib.store.models.tickets import DecimalStringAttribute

ORDERS_TABLE = table_name("orders")
ORDER_PREFIX = "ORDER#"
HOLD_PREFIX = "HOLD#"
# Spreads pending orders over a few index partitions; the sweep reads each one.
SWEEP_BUCKETS = 8


def order_pk(order_id: str) -> str:
    return f"{ORDER_PREFIX}{order_id}"


def idempotency_pk(user_id: str, key: str) -> str:
    return f"IDEM#{user_id}#{hashlib.sha256(key.encode()).hexdigest()}"


def hold_sk(expires_at: str, order_id: str) -> str:
    return f"{HOLD_PREFIX}{expires_at}#{order_id}"


def sweep_bucket(order_id: str) -> str:
    return str(int(order_id[:8], 16) % SWEEP_BUCKETS)


class OrdersByEventIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_event"
        projection = AllProjection()

    event_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class OrdersByBuyerIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_buyer"
        projection = AllProjection()

    buyer_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class PendingByExpiryIndex(GlobalSecondaryIndex):
    """Sparse: only pending orders carry ``sweep_bucket``."""

    class Meta:
        index_name = "by_expiry"
        projection = AllProjection()

    sweep_bucket = UnicodeAttribute(hash_key=True)
    expires_at = UnicodeAttribute(range_key=True)


class OrderModel(BaseModel):
    # Orders completing and refunds succeeding send mail from the stream (chalicelib.streams).
    stream_view_type = "NEW_AND_OLD_IMAGES"

    class Meta(BaseMeta):
        table_name = ORDERS_TABLE

    pk = UnicodeAttribute(hash_key=True)
    order_id = UnicodeAttribute()
    event_id = UnicodeAttribute()
    event_name = UnicodeAttribute()
    buyer_id = UnicodeAttribute()
    buyer_name = UnicodeAttribute()
    buyer_email = UnicodeAttribute()
    status = UnicodeAttribute()
    # [{ticket_id, name, type, quantity, unit_price}] with money as decimal strings.
    lines = JSONAttribute()
    total = DecimalStringAttribute()
    currency = UnicodeAttribute()
    created_at = UnicodeAttribute()
    expires_at = UnicodeAttribute(null=True)
    sweep_bucket = UnicodeAttribute(null=True)
    payment_provider = UnicodeAttribute()
    payment_reference = UnicodeAttribute(null=True)
    paid_at = UnicodeAttribute(null=True)
    paid_by = UnicodeAttribute(null=True)
    closed_at = UnicodeAttribute(null=True)
    closed_by = UnicodeAttribute(null=True)
    # The card checkout made for this order (one per order; asked again, the same one is returned).
    checkout_session_id = UnicodeAttribute(null=True)
    checkout_url = UnicodeAttribute(null=True)
    # Why a provider's payment did not complete the order (e.g. "amount_mismatch"): organizers look.
    payment_issue = UnicodeAttribute(null=True)
    # [{id, amount, status, reason, attendee_ids, provider_refund_id, created_at, created_by}]
    refunds = JSONAttribute(null=True)
    refunded_total = DecimalStringAttribute(null=True)
    # The access / discount code the order used (upper-case) and its id: its use is given back
    # when the order is released.
    code = UnicodeAttribute(null=True)
    code_id = UnicodeAttribute(null=True)
    # The key its attendees' codes are derived with (chalicelib.domain.attendees), set once.
    ticket_key = UnicodeAttribute(null=True)
    ver = NumberAttribute(default=1)

    by_event = OrdersByEventIndex()
    by_buyer = OrdersByBuyerIndex()
    by_expiry = PendingByExpiryIndex()


class IdempotencyModel(BaseModel):
    owns_table = False

    class Meta(BaseMeta):
        table_name = ORDERS_TABLE

    pk = UnicodeAttribute(hash_key=True)
    order_id = UnicodeAttribute()
    fingerprint = UnicodeAttribute()
    status_code = NumberAttribute()
    created_at = UnicodeAttribute()


class HoldModel(BaseModel):
    owns_table = False

    class Meta(BaseMeta):
        table_name = EVENTS_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    order_id = UnicodeAttribute()
    expires_at = UnicodeAttribute()
    # {ticket_id: quantity held}
    tickets = JSONAttribute()
