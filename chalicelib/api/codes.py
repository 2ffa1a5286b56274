"""Access and discount codes of an event (organizer, co-organizer)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Response

from chalicelib.api.lazy import lazy
from chalicelib.domain.codes import BULK_INPUT, CODE, CODE_CHANGES, CODE_INPUT
from chalicelib.domain.objects import list_of
from chalicelib.domain.permissions import FIXED_RULES
from chalicelib.http.access import event_role_required
from chalicelib.http.context import current_access, current_user
from chalicelib.http.definitions import CSV
from chalicelib.http.responses import created, csv_download, no_content
from chalicelib.http.routing import ApiBlueprint

if TYPE_CHECKING:
    from chalicelib.services import codes as cases
    from chalicelib.store import codes
    from chalicelib.views import codes as codes_views
else:
    cases = lazy("chalicelib.services.codes")
    codes = lazy("chalicelib.store.codes")
    codes_views = lazy("chalicelib.views.codes")

bp = ApiBlueprint(__name__)
CODE_MANAGERS = FIXED_RULES["codes"]["manage"]


@bp.route("/events/{event_id}/codes", response=list_of(CODE))
@event_role_required(CODE_MANAGERS)
def list_codes(event_id: str) -> list[dict[str, Any]]:
    """The event's codes, oldest first, with how often each was used."""
    return [codes_views.code_view(c) for c in codes.list_codes(event_id)]


@bp.route("/events/{event_id}/codes", methods=["POST"], status=201, body=CODE_INPUT, response=CODE)
@event_role_required(CODE_MANAGERS)
def create_code(event_id: str, body: dict[str, Any]) -> Response:
    code = cases.create_code(current_access().event, body, current_user().user_id)
    return created(codes_views.code_view(code))


@bp.route(
    "/events/{event_id}/codes/bulk", methods=["POST"], status=201, body=BULK_INPUT, response=list_of(CODE)
)
@event_role_required(CODE_MANAGERS)
def create_codes(event_id: str, body: dict[str, Any]) -> Response:
    """``count`` random codes starting with ``prefix``, all with the same terms."""
    made = cases.create_many(current_access().event, body, current_user().user_id)
    return created([codes_views.code_view(c) for c in made])


@bp.route("/events/{event_id}/codes.csv", response=CSV)
@event_role_required(CODE_MANAGERS)
def export_codes(event_id: str) -> Response:
    """Every code of the event with its uses, as CSV."""
    return csv_download(cases.codes_csv(current_access().event), f"codes-{event_id}.csv")


@bp.route("/events/{event_id}/codes/{code_id}", response=CODE)
@event_role_required(CODE_MANAGERS)
def get_code(event_id: str, code_id: str) -> dict[str, Any]:
    return codes_views.code_view(codes.get_code(event_id, code_id))


@bp.route("/events/{event_id}/codes/{code_id}", methods=["PATCH"], body=CODE_CHANGES, response=CODE)
@event_role_required(CODE_MANAGERS)
def update_code(event_id: str, code_id: str, body: dict[str, Any]) -> dict[str, Any]:
    code = codes.get_code(event_id, code_id)
    return codes_views.code_view(cases.update_code(current_access().event, code, body))


@bp.route("/events/{event_id}/codes/{code_id}", methods=["DELETE"], status=204)
@event_role_required(CODE_MANAGERS)
def delete_code(event_id: str, code_id: str) -> Response:
    """Delete a code: it can no longer be used; orders that used it keep their prices."""
    codes.delete_code(codes.get_code(event_id, code_id))
    return no_content()
