"""Fixed-window counters in the system table; DynamoDB's TTL removes old windows."""

import hashlib
import math
import time
from dataclasses import dataclass

from pynamodb.exceptions import UpdateError

from chalicelib.domain.errors import TooManyRequestsError
from chalicelib.domain.limits import Limit
from chalicelib.store.models.system import SystemItemModel


@dataclass(frozen=True)
class Reservation:
    """One counted occurrence; ``count`` includes it."""

    limit: Limit
    subject: str
    window_start: int
    count: int


def digest(text: str) -> str:
    """A fixed-length subject for what a client sent (an e-mail address): short keys whatever its
    length, and no addresses in the limits' items."""
    return hashlib.sha256(text.encode()).hexdigest()


def _window(limit: Limit, now: float) -> tuple[int, int]:
    start = int(now // limit.window_seconds) * limit.window_seconds
    return start, start + limit.window_seconds


def _key(limit: Limit, subject: str, window_start: int) -> tuple[str, str]:
    return f"RATE#{limit.name}#{subject}", str(window_start)


def _is_condition_failure(error: UpdateError) -> bool:
    return error.cause_response_code == "ConditionalCheckFailedException"


def consume(limit: Limit, subject: str) -> Reservation:
    """Check and count in one conditional write: 429 with Retry-After once the window is full."""
    now = time.time()
    start, end = _window(limit, now)
    counter = SystemItemModel(*_key(limit, subject, start))
    try:
        counter.update(
            actions=[SystemItemModel.version.add(1), SystemItemModel.expires_at.set(end + 60)],
            condition=SystemItemModel.version.does_not_exist() | (SystemItemModel.version < limit.max_count),
        )
    except UpdateError as error:
        if _is_condition_failure(error):
            raise TooManyRequestsError(limit.message, retry_after=max(1, math.ceil(end - now))) from error
        raise
    return Reservation(limit, subject, start, int(counter.version))


def give_back(reservation: Reservation) -> None:
    """Uncount a reservation (in its own window, even if a new one has begun since)."""
    counter = SystemItemModel(*_key(reservation.limit, reservation.subject, reservation.window_start))
    try:
        counter.update(actions=[SystemItemModel.version.add(-1)], condition=SystemItemModel.version > 0)
    except UpdateError as error:
        # The window is gone (expired); there is nothing left to give back.
        if not _is_condition_failure(error):
            raise
