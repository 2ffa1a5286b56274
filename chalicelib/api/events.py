"""Events: the organizer's CRUD, "my events", the staff list and the public pages."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from chalice import Response

from chalicelib.api.lazy import lazy
from chalicelib.domain.clock import now
from chalicelib.domain.codes import CODE_PATTERN, CodeTerms
from chalicelib.domain.errors import NotFoundError
from chalicelib.domain.events import (
    EVENT,
    EVENT_CHANGES,
    EVENT_INPUT,
    MEMBER_EVENT,
    MY_EVENT,
    VERSIONS,
)
from chalicelib.domain.fields import Text
from chalicelib.domain.listing import LISTING_QUERY, PUBLIC_EVENT_LISTING, parse_listing_query
from chalicelib.domain.objects import list_of
from chalicelib.domain.permissions import EVENT_EDITORS, EVENT_OWNERS, EVENT_READERS, allowed_fingerprint
from chalicelib.domain.tickets import PUBLIC_EVENT
from chalicelib.http.access import EventAccess, event_role_required, staff_only
from chalicelib.http.context import current_access, current_user
from chalicelib.http.definitions import PAGE_QUERY
from chalicelib.http.etag import clock_variant, conditional_get, expected_versions, versioned_etag
from chalicelib.http.request import query_param, source_ip
from chalicelib.http.responses import created, no_content, paginated
from chalicelib.http.routing import ApiBlueprint
from chalicelib.store.pagination import page_size

if TYPE_CHECKING:
    from chalicelib.services import codes as code_cases
    from chalicelib.services import events as event_cases
    from chalicelib.store import events, tickets
    from chalicelib.store.models.events import EventModel
    from chalicelib.store.models.tickets import TicketModel
    from chalicelib.views import events as events_views
    from chalicelib.views import tickets as tickets_views
else:
    code_cases = lazy("chalicelib.services.codes")
    event_cases = lazy("chalicelib.services.events")
    events = lazy("chalicelib.store.events")
    tickets = lazy("chalicelib.store.tickets")
    events_views = lazy("chalicelib.views.events")
    tickets_views = lazy("chalicelib.views.tickets")

bp = ApiBlueprint(__name__)


@bp.route("/events", methods=["POST"], status=201, body=EVENT_INPUT, response=EVENT)
def create_event(body: dict[str, Any]) -> Response:
    event = events.create_event(body, current_user().user_id)
    return created(events_views.event_view(event))


@bp.route("/events", response=list_of(EVENT), query=PAGE_QUERY)
@staff_only
def list_events() -> Response:
    found, cursor = events.list_all_events(page_size(query_param("limit")), query_param("cursor"))
    return paginated([events_views.event_view(e) for e in found], cursor)


@bp.route("/me/events", response=list_of(MY_EVENT))
def my_events() -> list:
    member_of = events.list_member_events(current_user().user_id)
    return [{**events_views.event_view(e), "role": role} for e, role in member_of]


def _member_event(access: EventAccess) -> tuple[str, dict]:
    """The event as its members see it, with ``allowed`` (what the caller may do in it), and its ETag:
    the event's version (what If-Match conditions on) and a number that moves with ``allowed``."""
    allowed = access.allowed()
    etag = versioned_etag([access.event.event_ver, allowed_fingerprint(allowed)])
    return etag, {**events_views.event_view(access.event), "allowed": allowed}


@bp.route("/events/{event_id}", response=MEMBER_EVENT)
@event_role_required(EVENT_READERS, with_matrix=True)
def get_event(event_id: str) -> Response:
    etag, body = _member_event(current_access())
    return conditional_get(etag, lambda: body)


@bp.route("/events/{event_id}/versions", response=VERSIONS)
@event_role_required(EVENT_READERS)
def get_versions(event_id: str) -> dict:
    event = current_access().event
    return events_views.versions_view(event, tickets.tickets_version(event, tickets.table(event_id)))


@bp.route("/events/{event_id}", methods=["PATCH"], body=EVENT_CHANGES, response=MEMBER_EVENT)
@event_role_required(EVENT_EDITORS, with_matrix=True)
def update_event(event_id: str, body: dict[str, Any]) -> Response:
    access = current_access()
    updated = events.update_event(access.event, body, expected_versions(), current_user())
    etag, representation = _member_event(replace(access, event=updated))
    return Response(body=representation, headers={"ETag": etag})


@bp.route("/events/{event_id}", methods=["DELETE"])
@event_role_required(EVENT_OWNERS)
def delete_event(event_id: str) -> Response:
    event_cases.delete_event(current_access().event, expected_versions(), current_user())
    return no_content()


@bp.route(
    "/public/events",
    public=True,
    response=list_of(PUBLIC_EVENT_LISTING),
    query={**PAGE_QUERY, **LISTING_QUERY},
)
def public_events() -> Response:
    """Published events, upcoming (soonest first) or past (latest first), each with its tickets'
    price range; with ``q`` a page holds fewer than ``limit`` events only once 500 events were read
    for it (follow X-Next-Cursor)."""
    when, words = parse_listing_query(query_param("when"), query_param("q"))
    found, cursor = event_cases.public_listing(
        page_size(query_param("limit")), query_param("cursor"), when, words
    )
    return paginated([events_views.public_event_listing(event, prices) for event, prices in found], cursor)


@bp.route(
    "/public/events/{event_id}",
    public=True,
    response=PUBLIC_EVENT,
    query={"code": Text(pattern=CODE_PATTERN, description="Also the hidden tickets it unlocks, its prices")},
)
def public_event(event_id: str) -> Response:
    """A published event and its tickets; ``?code=`` an access or discount code (422
    ``invalid_code`` when it cannot be used)."""
    event = events.get_published_event(event_id)
    if event is None:
        raise NotFoundError("No such published event.")
    text = query_param("code")
    code = code_cases.usable_code(event_id, text, now(), f"ip:{source_ip()}") if text is not None else None
    # The tickets are read for the tag: what orders change is versioned on their counter items.
    table = tickets.table(event_id)
    versions = [event.event_ver, event.tickets_ver, table.version, *((code[1], code[0].uses) if code else ())]
    variant = clock_variant() + (f"-code-{code[0].code_id}" if code else "")
    terms = code[0] if code else None
    etag = versioned_etag(versions, variant)
    return conditional_get(etag, lambda: _public_page(event, table.tickets, terms))


def _public_page(event: EventModel, listed: list[TicketModel], code: CodeTerms | None) -> dict:
    moment = now()
    offered = tickets.public_tickets(event.event_id, moment, listed, code.unlocks if code else None)
    return events_views.public_event_view(
        event, tickets_views.public_tickets_view(event, offered, moment, code)
    )
