"""Orders: buyers order tickets of a published event (idempotent), see and cancel their orders;
organizers list, mark paid, cancel and export them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Response

from chalicelib.api.lazy import lazy
from chalicelib.domain.fields import Choice, Schemaless
from chalicelib.domain.objects import Object, list_of
from chalicelib.domain.order_definitions import ORDER
from chalicelib.domain.orders import ORDER_REQUEST, STATUSES, parse_idempotency_key
from chalicelib.domain.payments import organizer_confirmation
from chalicelib.domain.permissions import ORDER_MANAGERS, ORDER_READERS
from chalicelib.domain.refunds import REFUND, REFUND_REQUEST
from chalicelib.http.access import (
    current_order_access,
    event_role_required,
    order_party_required,
    published_event_required,
)
from chalicelib.http.context import current_access, current_user
from chalicelib.http.definitions import CSV, IDEMPOTENCY_KEY, PAGE_QUERY
from chalicelib.http.request import Body, header, query_param
from chalicelib.http.responses import created, csv_download, paginated
from chalicelib.http.routing import ApiBlueprint
from chalicelib.store.pagination import page_size

if TYPE_CHECKING:
    from chalicelib.services import attendees as attendee_cases
    from chalicelib.services import exports
    from chalicelib.services import orders as order_cases
    from chalicelib.services import refunds as refund_cases
    from chalicelib.store import orders
    from chalicelib.views import attendees as attendees_views
    from chalicelib.views import orders as orders_views
else:
    attendee_cases = lazy("chalicelib.services.attendees")
    exports = lazy("chalicelib.services.exports")
    order_cases = lazy("chalicelib.services.orders")
    refund_cases = lazy("chalicelib.services.refunds")
    orders = lazy("chalicelib.store.orders")
    attendees_views = lazy("chalicelib.views.attendees")
    orders_views = lazy("chalicelib.views.orders")

bp = ApiBlueprint(__name__)

# The provider's reference is checked by the payment provider (chalicelib.domain.payments).
MARK_PAID = Object(
    {
        "reference": Schemaless(
            {"type": ["string", "null"], "description": "e.g. the bank transfer's reference"}
        )
    },
    additional=True,
)


@bp.route(
    "/events/{event_id}/orders",
    methods=["POST"],
    status=201,
    body=ORDER_REQUEST,
    response=ORDER,
    headers={"Idempotency-Key": IDEMPOTENCY_KEY},
)
@published_event_required
def place_order(event_id: str, body: dict[str, Any]) -> Response:
    """Order tickets (free -> completed; paid / donation -> pending until paid or expired). While
    the event's waiting room is on, header ``X-Admission`` (from the queue) is needed: else 403
    ``not_admitted``; forged ``admission_invalid``, expired ``admission_expired``, already used for
    an order ``admission_used``."""
    key = parse_idempotency_key(header("Idempotency-Key"))
    placed = order_cases.place_order(
        current_access().event, current_user(), key, body, admission=header("X-Admission")
    )
    response = created(orders_views.order_view(placed.order))
    response.status_code = placed.status_code
    response.headers["Idempotent-Replayed"] = "true" if placed.replayed else "false"
    return response


@bp.route(
    "/events/{event_id}/orders",
    response=list_of(ORDER),
    query={**PAGE_QUERY, "status": Choice(STATUSES)},
)
@event_role_required(ORDER_READERS)
def list_event_orders(event_id: str) -> Response:
    """The event's orders, newest first (``?status=`` one of pending, completed, cancelled, expired)."""
    found, cursor = orders.list_event_orders(
        event_id, page_size(query_param("limit")), query_param("cursor"), query_param("status")
    )
    return paginated([orders_views.order_view(o, with_buyer=True) for o in found], cursor)


@bp.route("/events/{event_id}/orders.csv", response=CSV)
@event_role_required(ORDER_MANAGERS)
def export_orders(event_id: str) -> Response:
    """Every order of the event as CSV."""
    return csv_download(exports.orders_csv(event_id), f"orders-{event_id}.csv")


@bp.route("/events/{event_id}/attendees.csv", response=CSV)
@event_role_required(ORDER_MANAGERS)
def export_attendees(event_id: str) -> Response:
    """One CSV row per ticket of every completed order."""
    return csv_download(exports.attendees_csv(event_id), f"attendees-{event_id}.csv")


def _with_attendees(view: dict, order: Any) -> dict:
    """One order read alone carries its attendees (docs/api.md: a completed order has them)."""
    attendees = attendee_cases.attendees_of(order)
    return {**view, "attendees": [attendees_views.attendee_view(a) for a in attendees]}


@bp.route("/events/{event_id}/orders/{order_id}", response=ORDER)
@event_role_required(ORDER_READERS)
def get_event_order(event_id: str, order_id: str) -> dict:
    order = orders.event_order(event_id, order_id)
    return _with_attendees(orders_views.order_view(order, with_buyer=True), order)


@bp.route(
    "/events/{event_id}/orders/{order_id}/mark-paid",
    methods=["POST"],
    body=Body(MARK_PAID, optional=True),
    response=ORDER,
)
@event_role_required(ORDER_MANAGERS)
def mark_paid(event_id: str, order_id: str, body: dict[str, Any]) -> dict:
    """The organizer confirms a pending order's payment: its tickets become sold."""
    order = orders.event_order(event_id, order_id)
    confirmation = organizer_confirmation(
        order.payment_provider, body.get("reference"), current_user().user_id
    )
    return orders_views.order_view(order_cases.mark_paid(order, confirmation), with_buyer=True)


@bp.route(
    "/events/{event_id}/orders/{order_id}/refunds",
    methods=["POST"],
    status=201,
    body=Body(REFUND_REQUEST, optional=True),
    response=REFUND,
)
@event_role_required(ORDER_MANAGERS)
def refund_order(event_id: str, order_id: str, body: dict[str, Any]) -> Response:
    """Refund a completed or partially refunded order: ``amount`` of it, or (none given) all that is
    left, which makes it ``refunded`` and puts its seats back on sale. Card orders through Stripe."""
    order = orders.event_order(event_id, order_id)
    refund = refund_cases.refund_order(
        order,
        current_user().user_id,
        amount=body.get("amount"),
        attendee_ids=body.get("attendee_ids") or (),
        reason=body.get("reason"),
    )
    return created(orders_views.refund_view(refund, order.currency))


@bp.route("/me/orders", response=list_of(ORDER), query=PAGE_QUERY)
def my_orders() -> Response:
    found, cursor = orders.list_buyer_orders(
        current_user().user_id, page_size(query_param("limit")), query_param("cursor")
    )
    return paginated([orders_views.order_view(o) for o in found], cursor)


@bp.route("/orders/{order_id}", response=ORDER)
@order_party_required(ORDER_READERS)
def get_order(order_id: str) -> dict:
    access = current_order_access()
    return _with_attendees(orders_views.order_view(access.order, with_buyer=access.privileged), access.order)


@bp.route("/orders/{order_id}/cancel", methods=["POST"], response=ORDER)
@order_party_required(ORDER_MANAGERS)
def cancel_order(order_id: str) -> dict:
    """The buyer cancels while pending, or a paid order until the event's refund deadline (it is
    refunded in full); the organizer any time (a paid order is refunded in full). The tickets are
    released once."""
    access = current_order_access()
    order = order_cases.cancel_order(
        access.order,
        current_user().user_id,
        is_organizer=access.privileged,
        refund_deadline=access.refund_deadline,
    )
    return orders_views.order_view(order, with_buyer=access.privileged)
