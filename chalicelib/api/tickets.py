"""Tickets: the organizer's table of free / paid / donation tickets (single CRUD and the wizard's
whole-table save). Any event role reads; organizer, coorganizer and staff write."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Response

from chalicelib.api.lazy import lazy
from chalicelib.domain.objects import list_of
from chalicelib.domain.permissions import EVENT_EDITORS, TICKET_READERS
from chalicelib.domain.tickets import TICKET, TICKET_CHANGES, TICKET_INPUT, TICKET_TABLE
from chalicelib.http.access import event_role_required
from chalicelib.http.context import current_access
from chalicelib.http.etag import conditional_get, expected_versions, versioned_etag
from chalicelib.http.responses import created, no_content
from chalicelib.http.routing import ApiBlueprint

if TYPE_CHECKING:
    from chalicelib.store import stock, tickets
    from chalicelib.store.models.tickets import TicketModel
    from chalicelib.views import tickets as tickets_views
else:
    stock = lazy("chalicelib.store.stock")
    tickets = lazy("chalicelib.store.tickets")
    tickets_views = lazy("chalicelib.views.tickets")

bp = ApiBlueprint(__name__)


@bp.route("/events/{event_id}/tickets", response=list_of(TICKET))
@event_role_required(TICKET_READERS)
def list_tickets(event_id: str) -> Response:
    """The event's tickets in the wizard's order. The ETag's first number is the table's version
    (what If-Match compares), the second the orders' (their counters are in the list)."""
    event = current_access().event
    table = tickets.table(event_id)
    return conditional_get(
        versioned_etag([event.tickets_ver, table.version]),
        lambda: [tickets_views.ticket_view(t) for t in table.tickets],
    )


@bp.route("/events/{event_id}/tickets", methods=["POST"], status=201, body=TICKET_INPUT, response=TICKET)
@event_role_required(EVENT_EDITORS)
def create_ticket(event_id: str, body: dict[str, Any]) -> Response:
    """Add a ticket at the end of the table."""
    ticket = tickets.create_ticket(current_access().event, body, expected_versions())
    return created(tickets_views.ticket_view(ticket))


@bp.route("/events/{event_id}/tickets", methods=["PUT"], body=TICKET_TABLE, response=list_of(TICKET))
@event_role_required(EVENT_EDITORS)
def replace_tickets(event_id: str, body: dict[str, Any]) -> Response:
    """Save the wizard's whole table at once (all or nothing)."""
    saved, versions = tickets.replace_tickets(current_access().event, body, expected_versions())
    return Response(
        body=[tickets_views.ticket_view(t) for t in saved], headers={"ETag": versioned_etag(versions)}
    )


@bp.route("/events/{event_id}/tickets/{ticket_id}", response=TICKET)
@event_role_required(TICKET_READERS)
def get_ticket(event_id: str, ticket_id: str) -> Response:
    """One ticket; its ETag is its ``ver`` (what If-Match compares), then its counters' version."""
    ticket = tickets.get_ticket(event_id, ticket_id)
    return conditional_get(
        versioned_etag(_ticket_versions(ticket)), lambda: tickets_views.ticket_view(ticket)
    )


def _ticket_versions(ticket: TicketModel) -> list[int]:
    return [int(ticket.ver), stock.version_of(ticket)]


@bp.route("/events/{event_id}/tickets/{ticket_id}", methods=["PATCH"], body=TICKET_CHANGES, response=TICKET)
@event_role_required(EVENT_EDITORS)
def update_ticket(event_id: str, ticket_id: str, body: dict[str, Any]) -> Response:
    """Change some fields of one ticket."""
    ticket = tickets.update_ticket(current_access().event, ticket_id, body, expected_versions())
    etag = versioned_etag(_ticket_versions(ticket))
    return Response(body=tickets_views.ticket_view(ticket), headers={"ETag": etag})


@bp.route("/events/{event_id}/tickets/{ticket_id}", methods=["DELETE"])
@event_role_required(EVENT_EDITORS)
def delete_ticket(event_id: str, ticket_id: str) -> Response:
    """Delete a ticket nobody holds (409 once sold or reserved: hide it instead)."""
    tickets.delete_ticket(current_access().event, ticket_id, expected_versions())
    return no_content()
