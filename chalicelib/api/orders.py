"""Orders: buyers order tickets of a published event (idempotent), see and cancel their orders;
organizers list, mark paid, cancel and export them."""

from chalice import Response

from chalicelib.domain.orders import MAX_IDEMPOTENCY_KEY, MAX_LINES, parse_idempotency_key
from chalicelib.domain.payments import organizer_confirmation
from chalicelib.domain.permissions import ORDER_MANAGERS, ORDER_READERS
from chalicelib.http import schemas
from chalicelib.http.access import (
    current_order_access,
    event_role_required,
    order_party_required,
    published_event_required,
)
from chalicelib.http.context import current_access, current_user
from chalicelib.http.request import header, json_body, query_param, raw_body
from chalicelib.http.responses import created, paginated
from chalicelib.http.routing import ApiBlueprint
from chalicelib.store import orders
from chalicelib.store.pagination import page_size

bp = ApiBlueprint(__name__)

ORDER_SCHEMA = {
    "type": "object",
    "required": ["items"],
    "additionalProperties": False,
    "properties": {
        "items": {
            "type": "array",
            "minItems": 1,
            "maxItems": MAX_LINES,
            "items": {
                "type": "object",
                "required": ["ticket_id", "quantity"],
                "additionalProperties": False,
                "properties": {
                    "ticket_id": {"type": "string"},
                    "quantity": {"type": "integer", "minimum": 1},
                    "amount": {
                        **schemas.MONEY_IN,
                        "description": f"Donation per ticket. {schemas.MONEY_IN['description']}",
                    },
                },
            },
        }
    },
    "description": f"Header Idempotency-Key (required, up to {MAX_IDEMPOTENCY_KEY} characters).",
    "examples": [{"items": [{"ticket_id": "0123456789abcdef0123456789abcdef", "quantity": 1}]}],
}
MARK_PAID_SCHEMA = {
    "type": "object",
    "properties": {
        "reference": {"type": ["string", "null"], "description": "e.g. the bank transfer's reference"}
    },
}


def _csv(text: str, filename: str) -> Response:
    return Response(
        body=text,
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{filename}"',
        },
    )


@bp.route(
    "/events/{event_id}/orders",
    methods=["POST"],
    status=201,
    request_schema=ORDER_SCHEMA,
    response_schema=schemas.ORDER,
    request_headers={"Idempotency-Key": schemas.IDEMPOTENCY_KEY},
)
@published_event_required
def place_order(event_id: str) -> Response:
    """Order tickets (free -> completed; paid / donation -> pending until paid or expired)."""
    key = parse_idempotency_key(header("Idempotency-Key"))
    placed = orders.place_order(current_access().event, current_user(), key, json_body())
    response = created(orders.order_view(placed.order))
    response.status_code = placed.status_code
    response.headers["Idempotent-Replayed"] = "true" if placed.replayed else "false"
    return response


@bp.route(
    "/events/{event_id}/orders",
    response_schema=schemas.list_of(schemas.ORDER),
    query={**schemas.PAGE_QUERY, "status": schemas.ORDER_STATUS_QUERY},
)
@event_role_required(ORDER_READERS)
def list_event_orders(event_id: str) -> Response:
    """The event's orders, newest first (``?status=`` one of pending, completed, cancelled, expired)."""
    found, cursor = orders.list_event_orders(
        event_id, page_size(query_param("limit")), query_param("cursor"), query_param("status")
    )
    return paginated([orders.order_view(o, with_buyer=True) for o in found], cursor)


@bp.route("/events/{event_id}/orders.csv", response_schema=schemas.CSV)
@event_role_required(ORDER_MANAGERS)
def export_orders(event_id: str) -> Response:
    """Every order of the event as CSV."""
    return _csv(orders.orders_csv(event_id), f"orders-{event_id}.csv")


@bp.route("/events/{event_id}/attendees.csv", response_schema=schemas.CSV)
@event_role_required(ORDER_MANAGERS)
def export_attendees(event_id: str) -> Response:
    """One CSV row per ticket of every completed order."""
    return _csv(orders.attendees_csv(event_id), f"attendees-{event_id}.csv")


@bp.route("/events/{event_id}/orders/{order_id}", response_schema=schemas.ORDER)
@event_role_required(ORDER_READERS)
def get_event_order(event_id: str, order_id: str) -> dict:
    return orders.order_view(orders.event_order(event_id, order_id), with_buyer=True)


@bp.route(
    "/events/{event_id}/orders/{order_id}/mark-paid",
    methods=["POST"],
    request_schema=MARK_PAID_SCHEMA,
    body_required=False,
    response_schema=schemas.ORDER,
)
@event_role_required(ORDER_MANAGERS)
def mark_paid(event_id: str, order_id: str) -> dict:
    """The organizer confirms a pending order's payment: its tickets become sold."""
    order = orders.event_order(event_id, order_id)
    body = json_body() if raw_body().strip() else {}
    confirmation = organizer_confirmation(
        order.payment_provider, body.get("reference"), current_user().user_id
    )
    return orders.order_view(orders.mark_paid(order, confirmation), with_buyer=True)


@bp.route("/me/orders", response_schema=schemas.list_of(schemas.ORDER), query=schemas.PAGE_QUERY)
def my_orders() -> Response:
    found, cursor = orders.list_buyer_orders(
        current_user().user_id, page_size(query_param("limit")), query_param("cursor")
    )
    return paginated([orders.order_view(o) for o in found], cursor)


@bp.route("/orders/{order_id}", response_schema=schemas.ORDER)
@order_party_required(ORDER_READERS)
def get_order(order_id: str) -> dict:
    access = current_order_access()
    return orders.order_view(access.order, with_buyer=access.privileged)


@bp.route("/orders/{order_id}/cancel", methods=["POST"], response_schema=schemas.ORDER)
@order_party_required(ORDER_MANAGERS)
def cancel_order(order_id: str) -> dict:
    """The buyer cancels while pending; the organizer any time. The tickets are released once."""
    access = current_order_access()
    order = orders.cancel_order(access.order, current_user().user_id, is_organizer=access.privileged)
    return orders.order_view(order, with_buyer=access.privileged)
