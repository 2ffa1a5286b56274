"""Role invites: organizers invite by e-mail; the invited person lists, accepts or declines."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Response

from chalicelib.api.lazy import lazy
from chalicelib.domain.invites import (
    ACCEPTED_INVITE,
    DECLINED_INVITE,
    INVITE,
    INVITE_REQUEST,
    MY_INVITE,
    SENT_INVITE,
)
from chalicelib.domain.objects import list_of
from chalicelib.domain.permissions import EVENT_OWNERS
from chalicelib.http.access import event_role_required
from chalicelib.http.context import current_access, current_user
from chalicelib.http.responses import created
from chalicelib.http.routing import ApiBlueprint

if TYPE_CHECKING:
    from chalicelib.services import invites
    from chalicelib.store import invites as stored_invites
    from chalicelib.views import invites as invites_views
else:
    invites = lazy("chalicelib.services.invites")
    stored_invites = lazy("chalicelib.store.invites")
    invites_views = lazy("chalicelib.views.invites")

bp = ApiBlueprint(__name__)


@bp.route(
    "/events/{event_id}/invites",
    methods=["POST"],
    status=201,
    body=INVITE_REQUEST,
    response=SENT_INVITE,
)
@event_role_required(EVENT_OWNERS)
def create_invite(event_id: str, body: dict[str, Any]) -> Response:
    """Invite an e-mail address to a role (notification and e-mail, or a signup link)."""
    access = current_access()
    sent = invites.create_invite(access.event, access.user, body)
    return created(invites_views.sent_invite_view(sent.invite, sent.email_sent))


@bp.route("/events/{event_id}/invites", response=list_of(INVITE))
@event_role_required(EVENT_OWNERS)
def list_event_invites(event_id: str) -> list:
    """The event's invites, newest first, with their status (never their tokens)."""
    return [invites_views.invite_view(invite) for invite in stored_invites.list_event_invites(event_id)]


@bp.route("/me/invites", response=list_of(MY_INVITE))
def my_invites() -> list:
    """Pending invites addressed to my e-mail (their tokens once my address is verified)."""
    user = current_user()
    return [
        invites_views.my_invite_view(invite, event_name, user)
        for invite, event_name in invites.my_invites(user)
    ]


@bp.route("/invites/{token}/accept", methods=["POST"], response=ACCEPTED_INVITE)
def accept_invite(token: str) -> dict:
    """Accept an invite addressed to me: I get its role in the event."""
    return invites_views.accepted_invite_view(*invites.accept_invite(token, current_user()))


@bp.route("/invites/{token}/decline", methods=["POST"], response=DECLINED_INVITE)
def decline_invite(token: str) -> dict:
    """Decline an invite addressed to me."""
    return invites_views.declined_invite_view(invites.decline_invite(token, current_user()))
