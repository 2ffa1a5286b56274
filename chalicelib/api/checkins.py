"""Check-in at the door: the list a scanner keeps offline, batches of scans, and the counts.
Guarded by the matrix's ``attendee`` service: read = the list and the counts, update = scanning."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.api.lazy import lazy
from chalicelib.domain.checkins import CHECKIN_LIST, CHECKIN_SUMMARY, CHECKINS_REQUEST, CHECKINS_RESPONSE
from chalicelib.domain.permissions import ATTENDEE
from chalicelib.http.access import service_permission
from chalicelib.http.context import current_user
from chalicelib.http.routing import ApiBlueprint

if TYPE_CHECKING:
    from chalicelib.services import checkins as cases
else:
    cases = lazy("chalicelib.services.checkins")

bp = ApiBlueprint(__name__)


@bp.route("/events/{event_id}/checkin-list", response=CHECKIN_LIST)
@service_permission(ATTENDEE, "read")
def checkin_list(event_id: str) -> list[dict[str, Any]]:
    """Every attendee with the SHA-256 of their code (never the code), status and check-in time:
    what a scanner keeps to decide offline. Revalidate with If-None-Match (304 when unchanged)."""
    return cases.checkin_list(event_id)


@bp.route(
    "/events/{event_id}/checkins",
    methods=["POST"],
    body=CHECKINS_REQUEST,
    response=CHECKINS_RESPONSE,
)
@service_permission(ATTENDEE, "update")
def record_checkins(event_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """Up to 500 scans; each answered ok, already_checked_in, unknown, revoked or wrong_event. A
    scan id sent again gets the same answer; an attendee is admitted (ok) by one scan only."""
    return {"results": cases.record_scans(event_id, body["scans"], current_user().user_id)}


@bp.route("/events/{event_id}/checkins/summary", response=CHECKIN_SUMMARY)
@service_permission(ATTENDEE, "read")
def checkin_summary(event_id: str) -> dict[str, Any]:
    """Checked-in and valid attendees per ticket and in all (live over the WebSocket too)."""
    return cases.summary(event_id)
