"""Who may move an order from one status to another: cancel (and whether that refunds), mark paid."""

from datetime import datetime
from decimal import Decimal

from chalicelib.domain.errors import ConflictError, ForbiddenError
from chalicelib.domain.orders import (
    CANCELLED,
    COMPLETED,
    EXPIRED,
    PARTIALLY_REFUNDED,
    PENDING,
    REFUNDED,
    is_expired,
)


def check_cancel(
    status: str,
    is_buyer: bool,
    is_organizer: bool,
    refund_deadline: str | None = None,
    moment: datetime | None = None,
) -> None:
    """Buyers cancel while pending, and a paid order until the event's ``refund_deadline`` (none:
    never); organizers (and staff) any time until it is cancelled, expired or refunded."""
    if not is_buyer and not is_organizer:
        raise ForbiddenError("Only the buyer or the event's organizer may cancel this order.")
    if status in (CANCELLED, EXPIRED, REFUNDED):
        raise ConflictError(f"This order is already {status}.", {"status": status}, code="order_closed")
    if status == PENDING or is_organizer:
        return
    if refund_deadline is None:
        raise ConflictError(
            "A completed order can only be cancelled by the organizer.",
            {"status": status},
            code="order_completed",
        )
    if moment is None or moment >= datetime.fromisoformat(refund_deadline):
        raise ConflictError(
            "The refund deadline has passed: only the organizer can cancel this order now.",
            {"status": status, "refund_deadline": refund_deadline},
            code="order_completed",
        )


def cancel_refunds(status: str, total: Decimal) -> bool:
    """Cancelling a paid order gives the money back (a free one only gives back its seats)."""
    return status in (COMPLETED, PARTIALLY_REFUNDED) and total > 0


def check_mark_paid(status: str, expires_at: str | None, moment: datetime) -> None:
    if status != PENDING:
        raise ConflictError(
            f"Only a pending order can be paid; this one is {status}.",
            {"status": status},
            code="order_not_pending",
        )
    if is_expired(status, expires_at, moment):
        raise ConflictError(
            "This order's hold has expired; the buyer must order again.",
            {"status": EXPIRED},
            code="order_expired",
        )
