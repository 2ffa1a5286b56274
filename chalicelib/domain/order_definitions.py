"""What the API sends back for an order (the request's definition is ORDER_REQUEST in
chalicelib.domain.orders, beside the rules it feeds)."""

from chalicelib.domain.attendees import ATTENDEE
from chalicelib.domain.fields import Choice, Flag, Integer, Text
from chalicelib.domain.objects import ListOf, sent
from chalicelib.domain.orders import STATUSES
from chalicelib.domain.refunds import REFUND_RECORD, REFUNDED_TOTAL
from chalicelib.domain.tickets import MONEY_IN, TICKET_TYPES

_ID = Text(min_len=1)
_TEXT = Text()
_MAYBE_TEXT = Text(nullable=True, null_value=None)
_MONEY = MONEY_IN.stored()
_MAYBE_INSTANT = Text(fmt="date-time", nullable=True, null_value=None)

ORDER_LINE = sent(
    None,
    {
        "ticket_id": _ID,
        "name": _TEXT,
        "type": Choice(TICKET_TYPES),
        "quantity": Integer(minimum=1),
        "unit_price": _MONEY,
        "subtotal": _MONEY,
        "list_price": Text(
            pattern=r"^[0-9]+(\.[0-9]{1,3})?$", description="The price before the order's code discounted it"
        ),
    },
    optional=("list_price",),
)
ORDER = sent(
    "Order",
    {
        "id": _ID,
        "event_id": _ID,
        "event_name": _TEXT,
        "status": Choice(STATUSES),
        "items": ListOf(ORDER_LINE),
        "total": _MONEY,
        "currency": _TEXT,
        "created_at": Text(fmt="date-time", description="ISO 8601 with offset"),
        "expires_at": _MAYBE_INSTANT,
        "paid_at": _MAYBE_INSTANT,
        "closed_at": _MAYBE_INSTANT,
        "payment": sent(
            None,
            {
                "provider": _TEXT,
                "reference": _MAYBE_TEXT,
                "issue": Text(
                    nullable=True,
                    null_value=None,
                    description="Why a card payment did not complete the order: amount_mismatch, "
                    "paid_twice, paid_after_release (refunded)",
                ),
                "instructions": _TEXT,
            },
            optional=("instructions",),
        ),
        "code": Text(nullable=True, null_value=None, description="The access or discount code used"),
        "refunds": ListOf(REFUND_RECORD),
        "refunded_total": REFUNDED_TOTAL,
        "buyer": sent(None, {"id": _ID, "name": _MAYBE_TEXT, "email": _MAYBE_TEXT}),
        "attendees": ListOf(ATTENDEE, description="One per seat (one order read alone; none while pending)"),
    },
    optional=("buyer", "attendees"),
)

CHECKOUT = sent(
    "Checkout",
    {
        "provider": Choice(("stripe",)),
        "session_id": _ID,
        "url": Text(min_len=1, description="Send the buyer here to pay"),
        "expires_at": Text(fmt="date-time", description="The session and the order's hold end together"),
    },
)
WEBHOOK_RECEIVED = sent("WebhookReceived", {"received": Flag(), "result": _TEXT})
