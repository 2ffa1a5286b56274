"""The permission matrix: readable by every signed-in user (the frontend hides what the
caller may not do), replaceable as a whole by a super admin."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Response

from chalicelib.api.lazy import lazy
from chalicelib.domain.permissions import MATRIX_REQUEST, PERMISSIONS
from chalicelib.http.access import super_admin_only
from chalicelib.http.context import current_user
from chalicelib.http.etag import conditional_get, expected_versions, versioned_etag
from chalicelib.http.routing import ApiBlueprint

if TYPE_CHECKING:
    from chalicelib.store import permissions
else:
    permissions = lazy("chalicelib.store.permissions")

bp = ApiBlueprint(__name__)


@bp.route("/permissions", response=PERMISSIONS)
def get_permissions() -> Response:
    """Roles, services and the matrix of what each event role may do to each service."""
    stored = permissions.current_matrix()
    return conditional_get(versioned_etag([stored.version]), lambda: permissions.matrix_view(stored))


@bp.route("/permissions", methods=["PUT"], body=MATRIX_REQUEST, response=PERMISSIONS)
@super_admin_only
def replace_permissions(body: dict[str, Any]) -> Response:
    """Replace the whole matrix (super admin; If-Match honoured)."""
    stored = permissions.replace_matrix(body["matrix"], expected_versions(), current_user())
    return Response(body=permissions.matrix_view(stored), headers={"ETag": versioned_etag([stored.version])})
