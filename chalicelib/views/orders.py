"""An order as its buyer and the event's organizers see it."""

from typing import Any

from chalicelib.domain import orders as rules
from chalicelib.domain.payments import provider
from chalicelib.domain.refunds import Refund, money_text
from chalicelib.store.models.orders import OrderModel
from chalicelib.store.orders import effective_status, lines_of
from chalicelib.store.refunds import refunded_total_of, refunds_of


def order_view(order: OrderModel, with_buyer: bool = False) -> dict[str, Any]:
    status = effective_status(order)
    view: dict[str, Any] = {
        "id": order.order_id,
        "event_id": order.event_id,
        "event_name": order.event_name,
        "status": status,
        "items": [
            {
                "ticket_id": line.ticket_id,
                "name": line.name,
                "type": line.type,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "subtotal": line.subtotal,
                **({"list_price": line.list_price} if line.list_price is not None else {}),
            }
            for line in lines_of(order)
        ],
        "total": order.total,
        "currency": order.currency,
        "created_at": order.created_at,
        "expires_at": order.expires_at,
        "paid_at": order.paid_at,
        "closed_at": order.closed_at,
        "payment": {
            "provider": order.payment_provider,
            "reference": order.payment_reference,
            "issue": order.payment_issue,
        },
        "code": order.code,
        "refunds": [refund_record_view(refund, order.currency) for refund in refunds_of(order)],
        "refunded_total": money_text(refunded_total_of(order), order.currency),
    }
    if status == rules.PENDING:
        view["payment"]["instructions"] = provider(order.payment_provider).instructions(
            order.total, order.currency
        )
    if with_buyer:
        view["buyer"] = {"id": order.buyer_id, "name": order.buyer_name, "email": order.buyer_email}
    return view


def refund_view(refund: Refund, currency: str) -> dict[str, Any]:
    """What the refund request answers."""
    return {
        "id": refund.refund_id,
        "amount": money_text(refund.amount, currency),
        "status": refund.status,
        "attendee_ids": list(refund.attendee_ids),
    }


def refund_record_view(refund: Refund, currency: str) -> dict[str, Any]:
    return {
        **refund_view(refund, currency),
        "reason": refund.reason,
        "created_at": refund.created_at,
    }
