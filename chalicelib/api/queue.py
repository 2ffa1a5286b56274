"""The waiting room of an on-sale (public): take a number, then ask where it stands."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Response

from chalicelib.api.lazy import lazy
from chalicelib.domain.errors import NotFoundError
from chalicelib.domain.waiting_room import QUEUE_STATUS, QUEUE_TICKET
from chalicelib.http.request import source_ip
from chalicelib.http.responses import created
from chalicelib.http.routing import ApiBlueprint

if TYPE_CHECKING:
    from chalicelib.services import queue as queue_cases
    from chalicelib.store import events
    from chalicelib.store.models.events import EventModel
else:
    queue_cases = lazy("chalicelib.services.queue")
    events = lazy("chalicelib.store.events")

bp = ApiBlueprint(__name__)


def _published(event_id: str) -> EventModel:
    event = events.get_published_event(event_id)
    if event is None:
        raise NotFoundError("No such published event.")
    return event


@bp.route("/public/events/{event_id}/queue", methods=["POST"], public=True, status=201, response=QUEUE_TICKET)
def join_queue(event_id: str) -> Response:
    """Take the next number in the event's waiting room (409 ``no_waiting_room`` while it is off;
    429 after too many from one address)."""
    return created(queue_cases.join(_published(event_id), source_ip()))


@bp.route("/public/events/{event_id}/queue/{queue_id}", public=True, response=QUEUE_STATUS)
def queue_status(event_id: str, queue_id: str) -> Response:
    """Where this number stands; admitted: an ``admission`` to send as X-Admission with the order.
    Never stored by a cache: it carries the admission, and the line moves with the clock."""
    status = queue_cases.place_in_line(_published(event_id), queue_id)
    return Response(body=status, headers={"Cache-Control": "no-store"})
