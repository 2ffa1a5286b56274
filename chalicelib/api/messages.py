"""Organizer messages to an event's attendees, and unsubscribing from them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Response

from chalicelib.api.lazy import lazy
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.fields import Field, Text
from chalicelib.domain.objects import list_of
from chalicelib.domain.organizer_messages import (
    MESSAGE_PREVIEW,
    MESSAGE_REQUEST,
    ORGANIZER_MESSAGE,
    RECIPIENT_COUNT,
    render_body,
)
from chalicelib.domain.permissions import FIXED_RULES
from chalicelib.domain.unsubscribe import SUBSCRIPTION, UNSUBSCRIBE_REQUEST
from chalicelib.http.access import event_role_required
from chalicelib.http.context import current_access
from chalicelib.http.request import query_param
from chalicelib.http.routing import ApiBlueprint

if TYPE_CHECKING:
    from chalicelib.services import organizer_messages, subscriptions
    from chalicelib.store import organizer_messages as stored
    from chalicelib.views import organizer_messages as organizer_messages_views
else:
    organizer_messages = lazy("chalicelib.services.organizer_messages")
    subscriptions = lazy("chalicelib.services.subscriptions")
    stored = lazy("chalicelib.store.organizer_messages")
    organizer_messages_views = lazy("chalicelib.views.organizer_messages")

bp = ApiBlueprint(__name__)

MESSAGE_SENDERS = FIXED_RULES["messages"]["send"]

TICKET_IDS_QUERY: dict[str, Field] = {
    "ticket_ids": Text(description="comma-separated ticket ids; left out: every ticket of the event")
}


def _ticket_ids_query() -> list[str] | None:
    raw = query_param("ticket_ids")
    if raw is None or not raw.strip():
        return None
    ids = [part.strip() for part in raw.split(",")]
    if any(not part or len(part) > 64 for part in ids) or len(ids) > 100:
        raise ValidationError({"ticket_ids": "Give up to 100 ticket ids, separated by commas."})
    return ids


@bp.route(
    "/events/{event_id}/messages",
    methods=["POST"],
    status=202,
    body=MESSAGE_REQUEST,
    response=ORGANIZER_MESSAGE,
)
@event_role_required(MESSAGE_SENDERS)
def send_message(event_id: str, body: dict[str, Any]) -> Response:
    """Write to the event's valid attendees (only those of ``ticket_ids`` when given): stored now,
    mailed right after, one copy per address; unsubscribed addresses get none."""
    access = current_access()
    message = organizer_messages.send_message(access.event, access.user, body)
    return Response(body=organizer_messages_views.message_view(message), status_code=202)


@bp.route("/events/{event_id}/messages", response=list_of(ORGANIZER_MESSAGE))
@event_role_required(MESSAGE_SENDERS)
def list_messages(event_id: str) -> list:
    """The messages sent to the event's attendees, newest first."""
    return [organizer_messages_views.message_view(message) for message in stored.list_messages(event_id)]


@bp.route(
    "/events/{event_id}/messages/preview", methods=["POST"], body=MESSAGE_REQUEST, response=MESSAGE_PREVIEW
)
@event_role_required(MESSAGE_SENDERS)
def preview_message(event_id: str, body: dict[str, Any]) -> dict:
    """The message as its e-mail will show it (the same rendering), sending nothing."""
    return {"subject": body["subject"], "html": render_body(body["body"])}


@bp.route("/events/{event_id}/messages/recipients", response=RECIPIENT_COUNT, query=TICKET_IDS_QUERY)
@event_role_required(MESSAGE_SENDERS)
def recipient_count(event_id: str) -> dict:
    """How many valid tickets a message to these ticket types reaches (from the tickets' counters)."""
    return {"count": organizer_messages.recipient_count(event_id, _ticket_ids_query())}


@bp.route("/unsubscribe", methods=["POST"], public=True, body=UNSUBSCRIBE_REQUEST, response=SUBSCRIPTION)
def unsubscribe(body: dict[str, Any]) -> dict:
    """The signed link of an organizer message: no more messages from that event's organizers."""
    return organizer_messages_views.subscription_view(*subscriptions.unsubscribe(body["token"]))


@bp.route("/unsubscribe/undo", methods=["POST"], public=True, body=UNSUBSCRIBE_REQUEST, response=SUBSCRIPTION)
def resubscribe(body: dict[str, Any]) -> dict:
    """Take an unsubscribe back (the same link)."""
    return organizer_messages_views.subscription_view(*subscriptions.resubscribe(body["token"]))
