"""The permission matrix: readable by every signed-in user (the frontend hides what the
caller may not do), replaceable as a whole by a super admin."""

from chalice import Response

from chalicelib.domain.permissions import validate_matrix
from chalicelib.http import schemas
from chalicelib.http.access import super_admin_only
from chalicelib.http.context import current_user
from chalicelib.http.etag import conditional_get, expected_versions, versioned_etag
from chalicelib.http.request import json_body
from chalicelib.http.routing import ApiBlueprint
from chalicelib.store import permissions

bp = ApiBlueprint(__name__)

MATRIX_SCHEMA = {
    "type": "object",
    "required": ["matrix"],
    "properties": {
        "matrix": {
            "type": "object",
            "description": "{role: {service: {create, read, update, delete}}}, every cell a boolean",
        }
    },
}


@bp.route("/permissions", response_schema=schemas.PERMISSIONS)
def get_permissions() -> Response:
    """Roles, services and the matrix of what each event role may do to each service."""
    stored = permissions.current_matrix()
    return conditional_get(versioned_etag([stored.version]), lambda: permissions.matrix_view(stored))


@bp.route("/permissions", methods=["PUT"], request_schema=MATRIX_SCHEMA, response_schema=schemas.PERMISSIONS)
@super_admin_only
def replace_permissions() -> Response:
    """Replace the whole matrix (super admin; If-Match honoured)."""
    stored = permissions.replace_matrix(validate_matrix(json_body()), expected_versions(), current_user())
    return Response(body=permissions.matrix_view(stored), headers={"ETag": versioned_etag([stored.version])})
