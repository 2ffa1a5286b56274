"""The served OpenAPI document."""

from chalicelib.http.definitions import OPENAPI
from chalicelib.http.openapi import build_openapi
from chalicelib.http.routing import ApiBlueprint

bp = ApiBlueprint(__name__)


@bp.route("/openapi.json", public=True, response=OPENAPI)
def openapi_document() -> dict:
    """The OpenAPI 3.1 description of every route."""
    return build_openapi(bp.current_app)
