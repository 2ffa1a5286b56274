"""The public program of a published event: its schedule as JSON, as a calendar and as the
Pentabarf XML conference apps import. No sign-in; a draft or unknown event is 404. The ETag is
made of the event item's counters alone (one GetItem), so a current copy costs a 304 and no
read of the services."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Response

from chalicelib.api.lazy import lazy
from chalicelib.domain.fields import Field, Text
from chalicelib.domain.program import SCHEDULE
from chalicelib.http.definitions import ICALENDAR, PENTABARF_XML
from chalicelib.http.etag import conditional_get, versioned_etag
from chalicelib.http.request import query_param
from chalicelib.http.routing import ApiBlueprint

if TYPE_CHECKING:
    from chalicelib.services import program as cases
    from chalicelib.views import program as program_views
    from chalicelib.views import program_calendar as program_calendar_views
    from chalicelib.views import program_pentabarf as program_pentabarf_views
else:
    cases = lazy("chalicelib.services.program")
    program_views = lazy("chalicelib.views.program")
    program_calendar_views = lazy("chalicelib.views.program_calendar")
    program_pentabarf_views = lazy("chalicelib.views.program_pentabarf")

bp = ApiBlueprint(__name__)
SESSION_QUERY: dict[str, Field] = {
    "session_id": Text(min_len=1, description="Only this session (an 'add to calendar' link)")
}


@bp.route("/public/events/{event_id}/schedule", public=True, response=SCHEDULE)
def public_schedule(event_id: str) -> Response:
    event = cases.published_event(event_id)
    return conditional_get(
        versioned_etag(cases.program_versions(event)),
        lambda: program_views.schedule_view(cases.program_of(event)),
    )


@bp.route("/public/events/{event_id}/calendar.ics", public=True, response=ICALENDAR, query=SESSION_QUERY)
def public_calendar(event_id: str) -> Response:
    event = cases.published_event(event_id)
    session_id = query_param("session_id")

    def produce() -> str:
        program = cases.program_of(event)
        session = cases.public_session(program, session_id) if session_id is not None else None
        return program_calendar_views.calendar_ics(event, program, cases.event_page_url(event), session)

    return conditional_get(
        versioned_etag(cases.program_versions(event)), produce, content_type="text/calendar; charset=utf-8"
    )


@bp.route("/public/events/{event_id}/schedule.xml", public=True, response=PENTABARF_XML)
def public_schedule_xml(event_id: str) -> Response:
    event = cases.published_event(event_id)
    return conditional_get(
        versioned_etag(cases.program_versions(event)),
        lambda: program_pentabarf_views.schedule_xml(
            event, cases.program_of(event), cases.event_page_url(event)
        ),
        content_type="application/xml; charset=utf-8",
    )
