"""Attendees of an order: one per seat of a completed order, with the code its ticket shows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Response

from chalicelib.api.lazy import lazy
from chalicelib.domain.attendees import ATTENDEE, ATTENDEE_PATCH
from chalicelib.domain.errors import NotFoundError
from chalicelib.domain.objects import list_of
from chalicelib.domain.permissions import ORDER_MANAGERS, ORDER_READERS
from chalicelib.http.access import current_order_access, order_party_required
from chalicelib.http.definitions import SVG
from chalicelib.http.routing import ApiBlueprint

if TYPE_CHECKING:
    from chalicelib.media import qr as qr_media
    from chalicelib.services import attendees as cases
    from chalicelib.views import attendees as attendees_views
else:
    qr_media = lazy("chalicelib.media.qr")
    cases = lazy("chalicelib.services.attendees")
    attendees_views = lazy("chalicelib.views.attendees")

bp = ApiBlueprint(__name__)


@bp.route("/orders/{order_id}/attendees", response=list_of(ATTENDEE))
@order_party_required(ORDER_READERS)
def order_attendees(order_id: str) -> list[dict[str, Any]]:
    """The order's attendees, by seat (none until the order is completed)."""
    return [attendees_views.attendee_view(a) for a in cases.attendees_of(current_order_access().order)]


@bp.route("/orders/{order_id}/attendees/{attendee_id}", response=ATTENDEE)
@order_party_required(ORDER_READERS)
def order_attendee(order_id: str, attendee_id: str) -> dict[str, Any]:
    return attendees_views.attendee_view(cases.order_attendee(current_order_access().order, attendee_id))


@bp.route("/orders/{order_id}/attendees/{attendee_id}/qr.svg", response=SVG)
@order_party_required(ORDER_READERS)
def attendee_qr(order_id: str, attendee_id: str) -> Response:
    """The ticket's QR code (it carries the attendee's code); a revoked ticket's is 409."""
    code = cases.ticket_code(current_order_access().order, attendee_id)
    return Response(
        body=qr_media.qr_svg(code),
        headers={
            "Content-Type": qr_media.SVG_TYPE,
            "Content-Disposition": f'inline; filename="ticket-{attendee_id}.svg"',
            # Opened on its own, the image is a document: it may run and load nothing.
            "Content-Security-Policy": "default-src 'none'",
        },
    )


@bp.route(
    "/orders/{order_id}/attendees/{attendee_id}",
    methods=["PATCH"],
    body=ATTENDEE_PATCH,
    response=ATTENDEE,
)
@order_party_required(ORDER_MANAGERS)
def update_attendee(order_id: str, attendee_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """The buyer (or an organizer) changes who the ticket is for, until the event starts."""
    access = current_order_access()
    if access.event is None:
        raise NotFoundError("This order's event was deleted.")
    return attendees_views.attendee_view(cases.update_attendee(access.order, access.event, attendee_id, body))
