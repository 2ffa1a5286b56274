"""Checkout questions: the organizer replaces the event's list (ids kept, new ones made), checked
against the event's tickets as read, written conditioned on the version read."""

from collections.abc import Mapping, Sequence
from typing import Any

from chalicelib.domain import questions as rules
from chalicelib.domain.errors import ConflictError
from chalicelib.store import questions as store
from chalicelib.store import tickets
from chalicelib.store.models.events import EventModel
from chalicelib.store.models.questions import QuestionsModel
from chalicelib.store.retry import retrying

MAX_ATTEMPTS = 5


def replace_questions(
    event: EventModel, payload: Mapping[str, Any], expected: Sequence[int] | None, actor_id: str
) -> QuestionsModel:
    def attempt(_fresh: bool) -> QuestionsModel:
        read = store.stored_questions(event.event_id)
        ticket_ids = [ticket.ticket_id for ticket in tickets.list_tickets(event.event_id)]
        planned = rules.plan_questions(payload, read.questions or [], ticket_ids)
        return store.save_questions(read, planned, expected, actor_id)

    return retrying(
        attempt,
        attempts=MAX_ATTEMPTS,
        busy=ConflictError("The questions keep changing; reload them.", code="busy"),
    )
