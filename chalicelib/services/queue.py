"""Waiting-room use cases: take a number, see your place (and your admission once admitted), and
the check an order makes before it is placed while the room is on."""

from datetime import datetime
from typing import Any

from chalicelib.domain import waiting_room as room
from chalicelib.domain.clock import now
from chalicelib.domain.errors import NotFoundError
from chalicelib.domain.limits import QUEUE_JOINS_PER_SOURCE
from chalicelib.store import queue, ratelimit
from chalicelib.store.models.events import EventModel


def join(event: EventModel, source: str) -> dict[str, Any]:
    """A new number at the end of the line (the page keeps its queue id: a reload keeps the place)."""
    state = queue.room_of(event)
    if not state.enabled:
        raise room.room_closed()
    ratelimit.consume(QUEUE_JOINS_PER_SOURCE, f"{event.event_id}:{source}")
    position = queue.take_number(event.event_id)
    return {
        "queue_id": queue.queue_id(event.event_id, position),
        "position": position,
        "estimated_wait_s": state.wait_seconds(position, now()),
    }


def place_in_line(event: EventModel, queue_id: str) -> dict[str, Any]:
    """Where a number stands now; once admitted, with a fresh short-lived admission."""
    position = queue.position_of(event.event_id, queue_id)
    if position is None:
        raise NotFoundError("No such place in this event's line.", code="unknown_queue_id")
    state, moment = queue.room_of(event), now()
    status: dict[str, Any] = {
        "position": position,
        "admitted": state.admits(position, moment),
        **_line(state, moment),
        "estimated_wait_s": state.wait_seconds(position, moment),
    }
    if status["admitted"]:
        expires_at = moment + room.ADMISSION_TTL
        status["admission"] = queue.admission(event.event_id, position, expires_at)
        status["admission_expires_at"] = expires_at.isoformat(timespec="seconds")
    return status


def _line(state: room.Room, moment: datetime) -> dict[str, int]:
    return {"admitted_through": state.admitted_through(moment), "admit_per_minute": state.admit_per_minute}


def line_now(event: EventModel) -> dict[str, int] | None:
    """How far the line has moved and how fast (the same for everyone in it: what the event's pages
    are pushed), or None while the room is off."""
    state = queue.room_of(event)
    return _line(state, now()) if state.enabled else None


def admitted_number(event: EventModel, admission: str | None) -> int | None:
    """The number an order spends while the room is on (None while it is off); 403 without a valid
    admission."""
    if not queue.room_of(event).enabled:
        return None
    if not admission:
        raise room.not_admitted()
    return queue.admitted_position(event.event_id, admission, now())
