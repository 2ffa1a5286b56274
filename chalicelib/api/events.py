"""Events: the organizer's CRUD, "my events", the staff list and the public pages."""

from dataclasses import replace

from chalice import Response

from chalicelib.domain.errors import NotFoundError
from chalicelib.domain.permissions import EVENT_EDITORS, EVENT_OWNERS, EVENT_READERS, allowed_fingerprint
from chalicelib.http import schemas
from chalicelib.http.access import EventAccess, event_role_required, staff_only
from chalicelib.http.context import current_access, current_user
from chalicelib.http.etag import clock_variant, conditional_get, expected_versions, versioned_etag
from chalicelib.http.request import json_body, query_param
from chalicelib.http.responses import created, no_content, paginated
from chalicelib.http.routing import ApiBlueprint
from chalicelib.store import events
from chalicelib.store.pagination import page_size

bp = ApiBlueprint(__name__)


@bp.route(
    "/events",
    methods=["POST"],
    status=201,
    request_schema=schemas.EVENT_CREATE_REQUEST,
    response_schema=schemas.EVENT,
)
def create_event() -> Response:
    event = events.create_event(json_body(), current_user().user_id)
    return created(events.event_view(event))


@bp.route("/events", response_schema=schemas.list_of(schemas.EVENT), query=schemas.PAGE_QUERY)
@staff_only
def list_events() -> Response:
    found, cursor = events.list_all_events(page_size(query_param("limit")), query_param("cursor"))
    return paginated([events.event_view(e) for e in found], cursor)


@bp.route("/me/events", response_schema=schemas.list_of(schemas.MY_EVENT))
def my_events() -> list:
    return [
        {**events.event_view(e), "role": role}
        for e, role in events.list_member_events(current_user().user_id)
    ]


def _member_event(access: EventAccess) -> tuple[str, dict]:
    """The event as its members see it, with ``allowed`` (what the caller may do in it), and its ETag:
    the event's version (what If-Match conditions on) and a number that moves with ``allowed``."""
    allowed = access.allowed()
    etag = versioned_etag([access.event.event_ver, allowed_fingerprint(allowed)])
    return etag, {**events.event_view(access.event), "allowed": allowed}


@bp.route("/events/{event_id}", response_schema=schemas.MEMBER_EVENT)
@event_role_required(EVENT_READERS, with_matrix=True)
def get_event(event_id: str) -> Response:
    etag, body = _member_event(current_access())
    return conditional_get(etag, lambda: body)


@bp.route("/events/{event_id}/versions", response_schema=schemas.VERSIONS)
@event_role_required(EVENT_READERS)
def get_versions(event_id: str) -> dict:
    return events.versions_view(current_access().event)


@bp.route(
    "/events/{event_id}",
    methods=["PATCH"],
    request_schema=schemas.EVENT_UPDATE_REQUEST,
    response_schema=schemas.MEMBER_EVENT,
)
@event_role_required(EVENT_EDITORS, with_matrix=True)
def update_event(event_id: str) -> Response:
    access = current_access()
    updated = events.update_event(access.event, json_body(), expected_versions(), current_user())
    etag, body = _member_event(replace(access, event=updated))
    return Response(body=body, headers={"ETag": etag})


@bp.route("/events/{event_id}", methods=["DELETE"])
@event_role_required(EVENT_OWNERS)
def delete_event(event_id: str) -> Response:
    events.delete_event(current_access().event, expected_versions(), current_user())
    return no_content()


@bp.route(
    "/public/events",
    public=True,
    response_schema=schemas.list_of(schemas.PUBLIC_EVENT_SUMMARY),
    query=schemas.PAGE_QUERY,
)
def public_events() -> Response:
    found, cursor = events.list_published_events(page_size(query_param("limit")), query_param("cursor"))
    return paginated([events.public_event_summary(e) for e in found], cursor)


@bp.route("/public/events/{event_id}", public=True, response_schema=schemas.PUBLIC_EVENT)
def public_event(event_id: str) -> Response:
    event = events.get_published_event(event_id)
    if event is None:
        raise NotFoundError("No such published event.")
    return conditional_get(
        versioned_etag([event.event_ver, event.tickets_ver], clock_variant()),
        lambda: events.public_event_view(event),
    )
