"""Who holds which role in an event; removing a role (never the last organizer)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Response

from chalicelib.api.lazy import lazy
from chalicelib.domain.objects import list_of
from chalicelib.domain.permissions import EVENT_OWNERS, ROLE
from chalicelib.http.access import event_role_required
from chalicelib.http.context import current_user
from chalicelib.http.etag import conditional_get, expected_versions, versioned_etag
from chalicelib.http.responses import no_content
from chalicelib.http.routing import ApiBlueprint

if TYPE_CHECKING:
    from chalicelib.store import roles
    from chalicelib.views import roles as roles_views
else:
    roles = lazy("chalicelib.store.roles")
    roles_views = lazy("chalicelib.views.roles")

bp = ApiBlueprint(__name__)


@bp.route("/events/{event_id}/roles", response=list_of(ROLE))
@event_role_required(EVENT_OWNERS)
def list_roles(event_id: str) -> list:
    """Every member of the event with their role."""
    return [roles_views.role_view(membership, user) for membership, user in roles.list_roles(event_id)]


@bp.route("/events/{event_id}/roles/{user_id}", response=ROLE)
@event_role_required(EVENT_OWNERS)
def get_role(event_id: str, user_id: str) -> Response:
    """One member's role (its ETag is what DELETE's If-Match compares with)."""
    membership, user = roles.get_role(event_id, user_id)
    return conditional_get(
        versioned_etag([int(membership.ver or 0)]), lambda: roles_views.role_view(membership, user)
    )


@bp.route("/events/{event_id}/roles/{user_id}", methods=["DELETE"])
@event_role_required(EVENT_OWNERS)
def remove_role(event_id: str, user_id: str) -> Response:
    """Take the user's role away; the last organizer cannot be removed (409)."""
    roles.remove_role(event_id, user_id, expected_versions(), current_user())
    return no_content()
