"""Role invites: organizers invite by e-mail; the invited person lists, accepts or declines."""

from chalice import Response

from chalicelib.domain.permissions import EVENT_OWNERS
from chalicelib.http import schemas
from chalicelib.http.access import event_role_required
from chalicelib.http.context import current_access, current_user
from chalicelib.http.request import json_body
from chalicelib.http.responses import created
from chalicelib.http.routing import ApiBlueprint
from chalicelib.services import invites
from chalicelib.store import invites as stored_invites
from chalicelib.views.invites import (
    accepted_invite_view,
    declined_invite_view,
    invite_view,
    my_invite_view,
    sent_invite_view,
)

bp = ApiBlueprint(__name__)

INVITE_SCHEMA = {
    "type": "object",
    "required": ["email", "role"],
    "properties": {
        "email": {"type": "string", "format": "email"},
        "role": {"enum": ["organizer", "coorganizer", "track_organizer", "moderator"]},
    },
}


@bp.route(
    "/events/{event_id}/invites",
    methods=["POST"],
    status=201,
    request_schema=INVITE_SCHEMA,
    response_schema=schemas.SENT_INVITE,
)
@event_role_required(EVENT_OWNERS)
def create_invite(event_id: str) -> Response:
    """Invite an e-mail address to a role (notification and e-mail, or a signup link)."""
    access = current_access()
    sent = invites.create_invite(access.event, access.user, json_body())
    return created(sent_invite_view(sent.invite, sent.email_sent))


@bp.route("/events/{event_id}/invites", response_schema=schemas.list_of(schemas.INVITE))
@event_role_required(EVENT_OWNERS)
def list_event_invites(event_id: str) -> list:
    """The event's invites, newest first, with their status (never their tokens)."""
    return [invite_view(invite) for invite in stored_invites.list_event_invites(event_id)]


@bp.route("/me/invites", response_schema=schemas.list_of(schemas.MY_INVITE))
def my_invites() -> list:
    """Pending invites addressed to my e-mail (their tokens once my address is verified)."""
    user = current_user()
    return [my_invite_view(invite, event_name, user) for invite, event_name in invites.my_invites(user)]


@bp.route("/invites/{token}/accept", methods=["POST"], response_schema=schemas.ACCEPTED_INVITE)
def accept_invite(token: str) -> dict:
    """Accept an invite addressed to me: I get its role in the event."""
    return accepted_invite_view(*invites.accept_invite(token, current_user()))


@bp.route("/invites/{token}/decline", methods=["POST"], response_schema=schemas.DECLINED_INVITE)
def decline_invite(token: str) -> dict:
    """Decline an invite addressed to me."""
    return declined_invite_view(invites.decline_invite(token, current_user()))
