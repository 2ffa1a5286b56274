"""A card checkout for a pending order: what the buyer is charged for, and until when.

Stripe keeps a Checkout Session open between 30 minutes and 24 hours, and the order's hold must
last as long as the session can still be paid: the session expires when the hold does, and a hold
shorter than Stripe's minimum is extended to it (so a payment never lands on released seats
while the page is still open; one that arrives later anyway is the late-payment case).
"""

from datetime import datetime, timedelta
from typing import NamedTuple

from chalicelib.domain.money import to_minor_units
from chalicelib.domain.orders import OrderLine

SESSION_MIN = timedelta(minutes=30)
SESSION_MAX = timedelta(hours=24)
# Asked a little above Stripe's minimum, so the request's own travel time cannot push it below.
MIN_MARGIN = timedelta(minutes=1)


class ChargeLine(NamedTuple):
    name: str
    unit_amount: int  # minor units
    quantity: int


def charge_lines(lines: list[OrderLine], currency: str) -> list[ChargeLine]:
    """One line per ticket line, each at its unit price (a donation at the amount given)."""
    return [ChargeLine(line.name, to_minor_units(line.unit_price, currency), line.quantity) for line in lines]


def session_expiry(hold_expires_at: datetime, now: datetime) -> datetime:
    """When the session (and so the hold) ends: the hold's end, within Stripe's bounds. An
    extended hold ends on a whole minute, so two checkouts asked within the same minute ask
    Stripe for the same session (the same idempotency key needs the same parameters)."""
    earliest = now + SESSION_MIN + MIN_MARGIN
    if earliest.second or earliest.microsecond:
        earliest = earliest.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return min(max(hold_expires_at, earliest), now + SESSION_MAX)
