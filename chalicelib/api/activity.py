"""The audit log, for an event's organizers and for platform staff."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Response

from chalicelib.api.lazy import lazy
from chalicelib.domain.objects import list_of
from chalicelib.domain.permissions import EVENT_OWNERS
from chalicelib.http.access import event_role_required, staff_only
from chalicelib.http.definitions import ACTIVITY, PAGE_QUERY
from chalicelib.http.request import query_param
from chalicelib.http.responses import paginated
from chalicelib.http.routing import ApiBlueprint
from chalicelib.store.pagination import page_size

if TYPE_CHECKING:
    from chalicelib.store import audit
else:
    audit = lazy("chalicelib.store.audit")

bp = ApiBlueprint(__name__)


@bp.route(
    "/events/{event_id}/activity",
    response=list_of(ACTIVITY),
    query=PAGE_QUERY,
)
@event_role_required(EVENT_OWNERS)
def event_activity(event_id: str) -> Response:
    """What happened in this event, newest first."""
    return paginated(*audit.event_activity(event_id, page_size(query_param("limit")), query_param("cursor")))


@bp.route("/admin/activity", response=list_of(ACTIVITY), query=PAGE_QUERY)
@staff_only
def platform_activity() -> Response:
    """Everything that happened on the platform, newest first."""
    return paginated(*audit.all_activity(page_size(query_param("limit")), query_param("cursor")))
