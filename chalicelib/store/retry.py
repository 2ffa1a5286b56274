"""Optimistic writes: read, decide, write conditioned on what was read; when the condition says
someone else wrote first, read again and decide again. One loop and one backoff for all of them.

An attempt raises ``LostRace`` (``raise LostRace from error``) to ask for another go on fresh
data; ``retrying`` tells it whether this is such a go (``fresh``), so what the caller handed in
is used once and read again afterwards.
"""

import random
import time
from collections.abc import Callable
from typing import TypeVar

from chalicelib.domain.errors import ConflictError

T = TypeVar("T")

# Full jitter: the n-th retry waits up to BACKOFF * 2**n, so racers spread out instead of
# colliding again in step.
BACKOFF_SECONDS = 0.01
BUSY_MESSAGE = "Many changes at once; try again in a moment."


class LostRace(Exception):
    """What the attempt read changed before its write: read again and retry."""


def retrying(attempt: Callable[[bool], T], *, attempts: int, busy: ConflictError | None = None) -> T:
    """Run ``attempt(fresh)`` until it does not lose a race, at most ``attempts`` times.

    Out of attempts: ``busy`` (a 409), or without one the error behind the last lost race.
    """
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    lost: LostRace | None = None
    for number in range(attempts):
        if number:
            time.sleep(random.uniform(0, BACKOFF_SECONDS * 2 ** (number - 1)))
        try:
            return attempt(number > 0)
        except LostRace as race:
            lost = race
    if busy is None and lost is not None and lost.__cause__ is not None:
        raise lost.__cause__
    raise busy or ConflictError(BUSY_MESSAGE) from lost
