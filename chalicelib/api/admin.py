"""Platform administration: the user list (staff) and the platform roles (super admin)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Response

from chalicelib.api.lazy import lazy
from chalicelib.domain.errors import PreconditionFailedError
from chalicelib.domain.objects import list_of
from chalicelib.domain.permissions import SYSTEM_ROLES
from chalicelib.domain.users import ADMIN_USER
from chalicelib.http.access import staff_only, super_admin_only
from chalicelib.http.context import current_user
from chalicelib.http.definitions import PAGE_QUERY
from chalicelib.http.etag import expected_versions
from chalicelib.http.request import query_param
from chalicelib.http.responses import paginated
from chalicelib.http.routing import ApiBlueprint
from chalicelib.store.pagination import page_size

if TYPE_CHECKING:
    from chalicelib.store import roles, users
else:
    roles = lazy("chalicelib.store.roles")
    users = lazy("chalicelib.store.users")

bp = ApiBlueprint(__name__)


def _admin_view(user: users.UserModel) -> dict:
    return {**users.user_view(user), "created_at": user.created_at}


@bp.route("/admin/users", response=list_of(ADMIN_USER), query=PAGE_QUERY)
@staff_only
def list_users() -> Response:
    """Every account, newest first (cursor pagination: ?limit, ?cursor, X-Next-Cursor)."""
    found, cursor = users.list_users(page_size(query_param("limit")), query_param("cursor"))
    return paginated([_admin_view(u) for u in found], cursor)


@bp.route(
    "/admin/users/{user_id}",
    methods=["PATCH"],
    body=SYSTEM_ROLES,
    response=ADMIN_USER,
)
@super_admin_only
def set_platform_roles(user_id: str, body: dict[str, Any]) -> dict:
    """Make a user admin / super admin or take it back (super admin only)."""
    # No ETag is ever issued for this resource, so no If-Match other than * can match it.
    if expected_versions() is not None:
        raise PreconditionFailedError("This resource has changed since you read it; reload and try again.")
    return _admin_view(roles.set_system_roles(current_user(), user_id, body))
