"""Every write of the event's own collections bumps their version counters, in the same
transaction, on the event item; an If-Match becomes a condition of that very write (never
read-then-write). Orders do not come here: they version the ticket counters they write
(chalicelib.store.stock), so the orders of an event do not all write one item."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from pynamodb.expressions.condition import Condition

from chalicelib.domain.errors import ConflictError, NotFoundError, PreconditionFailedError
from chalicelib.domain.events import VERSION_COUNTERS
from chalicelib.store.models.events import EVENT_SK, EventModel, event_pk
from chalicelib.store.transactions import CONDITION_FAILED, CONFLICT, Cancelled, Transaction

EVENT_TAG = "event"

STALE_MESSAGE = "This resource has changed since you read it; reload and try again."


def version_condition(counter: str, expected: Sequence[int] | None) -> Condition:
    condition = EventModel.pk.exists()
    if expected:
        condition &= getattr(EventModel, counter).is_in(*expected)
    return condition


def bump_actions(counters: Sequence[str], step: int = 1) -> list[Any]:
    unknown = set(counters) - set(VERSION_COUNTERS)
    if unknown:
        raise ValueError(f"unknown version counters: {unknown}")
    return [getattr(EventModel, counter).add(step) for counter in counters]


def event_stub(event_id: str) -> EventModel:
    return EventModel(event_pk(event_id), EVENT_SK)


@contextmanager
def versioned_write(
    event_id: str,
    counters: Sequence[str],
    expected: Sequence[int] | None = None,
    expected_counter: str | None = None,
    conflict: ConflictError | None = None,
    event_actions: Sequence[Any] = (),
    step: int = 1,
) -> Iterator[Transaction]:
    """A transaction whose last operation bumps ``counters`` on the event item.

    ``expected`` (from If-Match) conditions the write on ``expected_counter`` (default: the
    first counter). A failed condition on the event item -> 412 (or 404 when the event is
    gone); a failed condition on another item -> ``conflict``. ``event_actions`` change the
    event item itself in the same update. ``step``: how much each counter moves (1: one write).
    """
    transaction = Transaction()
    yield transaction
    transaction.update(
        event_stub(event_id),
        actions=[*event_actions, *bump_actions(counters, step)],
        condition=version_condition(expected_counter or counters[0], expected),
        tag=EVENT_TAG,
    )
    try:
        transaction.commit()
    except Cancelled as cancelled:
        if cancelled.failed(EVENT_TAG):
            if expected:
                raise PreconditionFailedError(STALE_MESSAGE) from cancelled
            raise NotFoundError("No such event.") from cancelled
        if CONDITION_FAILED in cancelled.codes:
            # Another item's condition: the caller's own conflict, if it named one.
            raise conflict or ConflictError(
                "The change conflicts with another one; try again."
            ) from cancelled
        if CONFLICT in cancelled.codes:
            raise ConflictError("Someone else changed this at the same moment; try again.") from cancelled
        raise
