"""Platform administration: the user list (staff) and the platform roles (super admin)."""

from chalice import Response

from chalicelib.domain.errors import PreconditionFailedError
from chalicelib.domain.permissions import validate_system_roles
from chalicelib.http import schemas
from chalicelib.http.access import staff_only, super_admin_only
from chalicelib.http.context import current_user
from chalicelib.http.etag import expected_versions
from chalicelib.http.request import json_body, query_param
from chalicelib.http.responses import paginated
from chalicelib.http.routing import ApiBlueprint
from chalicelib.store import roles, users
from chalicelib.store.pagination import page_size

bp = ApiBlueprint(__name__)

FLAGS_SCHEMA = {
    "type": "object",
    "properties": {"is_admin": {"type": "boolean"}, "is_super_admin": {"type": "boolean"}},
    "additionalProperties": False,
}


def _admin_view(user: users.UserModel) -> dict:
    return {**users.user_view(user), "created_at": user.created_at}


@bp.route("/admin/users", response_schema=schemas.list_of(schemas.ADMIN_USER), query=schemas.PAGE_QUERY)
@staff_only
def list_users() -> Response:
    """Every account, newest first (cursor pagination: ?limit, ?cursor, X-Next-Cursor)."""
    found, cursor = users.list_users(page_size(query_param("limit")), query_param("cursor"))
    return paginated([_admin_view(u) for u in found], cursor)


@bp.route(
    "/admin/users/{user_id}",
    methods=["PATCH"],
    request_schema=FLAGS_SCHEMA,
    response_schema=schemas.ADMIN_USER,
)
@super_admin_only
def set_platform_roles(user_id: str) -> dict:
    """Make a user admin / super admin or take it back (super admin only)."""
    # No ETag is ever issued for this resource, so no If-Match other than * can match it.
    if expected_versions() is not None:
        raise PreconditionFailedError("This resource has changed since you read it; reload and try again.")
    changes = validate_system_roles(json_body())
    return _admin_view(roles.set_system_roles(current_user(), user_id, changes))
