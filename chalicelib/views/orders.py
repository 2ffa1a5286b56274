"""An order as its buyer and the event's organizers see it."""

from typing import Any

from chalicelib.domain import orders as rules
from chalicelib.domain.payments import provider
from chalicelib.store.models.orders import OrderModel
from chalicelib.store.orders import effective_status, lines_of


def order_view(order: OrderModel, with_buyer: bool = False) -> dict[str, Any]:
    status = effective_status(order)
    view: dict[str, Any] = {
        "id": order.order_id,
        "event_id": order.event_id,
        "event_name": order.event_name,
        "status": status,
        "items": [
            {**line.to_record(), "unit_price": line.unit_price, "subtotal": line.subtotal}
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
    }
    if status == rules.PENDING:
        view["payment"]["instructions"] = provider(order.payment_provider).instructions(
            order.total, order.currency
        )
    if with_buyer:
        view["buyer"] = {"id": order.buyer_id, "name": order.buyer_name, "email": order.buyer_email}
    return view
