"""Tickets: the organizer's table of free / paid / donation tickets (single CRUD and the wizard's
whole-table save). Any event role reads; organizer, coorganizer and staff write."""

from chalice import Response

from chalicelib.domain.permissions import EVENT_EDITORS, EVENT_READERS
from chalicelib.domain.tickets import MAX_DESCRIPTION, MAX_NAME, MAX_TABLE_WRITES, TICKET_TYPES
from chalicelib.http import schemas
from chalicelib.http.access import event_role_required
from chalicelib.http.context import current_access
from chalicelib.http.etag import conditional_get, expected_versions, versioned_etag
from chalicelib.http.request import json_body
from chalicelib.http.responses import created, no_content
from chalicelib.http.routing import ApiBlueprint
from chalicelib.store import tickets
from chalicelib.views.tickets import ticket_view

bp = ApiBlueprint(__name__)

_FIELDS = {
    "name": {"type": "string", "minLength": 1, "maxLength": MAX_NAME},
    "type": {"enum": list(TICKET_TYPES)},
    "price": schemas.MONEY_IN,
    "quantity": {"type": "integer", "minimum": 1},
    "description": {"type": ["string", "null"], "maxLength": MAX_DESCRIPTION},
    "sales_starts_at": schemas.MAYBE_INSTANT_IN,
    "sales_ends_at": schemas.MAYBE_INSTANT_IN,
    "min_order": {"type": "integer", "minimum": 1},
    "max_order": {"type": "integer", "minimum": 1},
    "hidden": {"type": "boolean"},
}
TICKET_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {**_FIELDS, "position": {"type": "integer", "minimum": 0}},
    "examples": [{"name": "Early bird", "type": "paid", "price": "49.00", "quantity": 100, "max_order": 4}],
}
_ROW = {"type": "object", "additionalProperties": False, "properties": {"id": {"type": "string"}, **_FIELDS}}
TABLE_SCHEMA = {
    "type": "object",
    "required": ["tickets"],
    "properties": {"tickets": {"type": "array", "maxItems": MAX_TABLE_WRITES, "items": _ROW}},
}


@bp.route("/events/{event_id}/tickets", response_schema=schemas.list_of(schemas.TICKET))
@event_role_required(EVENT_READERS)
def list_tickets(event_id: str) -> Response:
    """The event's tickets in the wizard's order."""
    event = current_access().event
    return conditional_get(
        versioned_etag([event.tickets_ver]),
        lambda: [ticket_view(t) for t in tickets.list_tickets(event_id)],
    )


@bp.route(
    "/events/{event_id}/tickets",
    methods=["POST"],
    status=201,
    request_schema=TICKET_SCHEMA,
    response_schema=schemas.TICKET,
)
@event_role_required(EVENT_EDITORS)
def create_ticket(event_id: str) -> Response:
    """Add a ticket at the end of the table."""
    ticket = tickets.create_ticket(current_access().event, json_body(), expected_versions())
    return created(ticket_view(ticket))


@bp.route(
    "/events/{event_id}/tickets",
    methods=["PUT"],
    request_schema=TABLE_SCHEMA,
    response_schema=schemas.list_of(schemas.TICKET),
)
@event_role_required(EVENT_EDITORS)
def replace_tickets(event_id: str) -> Response:
    """Save the wizard's whole table at once (all or nothing)."""
    saved, version = tickets.replace_tickets(current_access().event, json_body(), expected_versions())
    return Response(body=[ticket_view(t) for t in saved], headers={"ETag": versioned_etag([version])})


@bp.route("/events/{event_id}/tickets/{ticket_id}", response_schema=schemas.TICKET)
@event_role_required(EVENT_READERS)
def get_ticket(event_id: str, ticket_id: str) -> Response:
    """One ticket."""
    ticket = tickets.get_ticket(event_id, ticket_id)
    return conditional_get(versioned_etag([ticket.ver]), lambda: ticket_view(ticket))


@bp.route(
    "/events/{event_id}/tickets/{ticket_id}",
    methods=["PATCH"],
    request_schema=TICKET_SCHEMA,
    response_schema=schemas.TICKET,
)
@event_role_required(EVENT_EDITORS)
def update_ticket(event_id: str, ticket_id: str) -> Response:
    """Change some fields of one ticket."""
    ticket = tickets.update_ticket(current_access().event, ticket_id, json_body(), expected_versions())
    return Response(body=ticket_view(ticket), headers={"ETag": versioned_etag([ticket.ver])})


@bp.route("/events/{event_id}/tickets/{ticket_id}", methods=["DELETE"])
@event_role_required(EVENT_EDITORS)
def delete_ticket(event_id: str, ticket_id: str) -> Response:
    """Delete a ticket nobody holds (409 once sold or reserved: hide it instead)."""
    tickets.delete_ticket(current_access().event, ticket_id, expected_versions())
    return no_content()
