"""Pushes whose cost grows with an audience (an event's open public pages, its check-in panels).

They run from the tables' stream (chalicelib.streams.handlers), never inside a request, and are
coalesced: at most one message per subject every ``PUSH_INTERVAL_SECONDS``, however many orders or
scans changed it and however many stream batches saw them. Each push sends the state as read when
it starts, so the last change of a burst is never left out: a batch whose changes the window's
push may have missed waits for the next window and pushes then (store.windows decides who).
"""

import logging
import time
from collections.abc import Callable, Iterable

from chalicelib.store import windows

logger = logging.getLogger("marquee.audience")

PUSH_INTERVAL_SECONDS = 1.0


def push_coalesced(
    kind: str,
    subjects: Iterable[str],
    seen_at: float,
    push: Callable[[str], int],
    listened: Callable[[str], bool],
) -> dict[str, int]:
    """``push(subject)`` for each subject whose changes (committed by ``seen_at``) no push started
    since has shown; returns how many connections each push reached. Subjects nobody ``listened``
    to are skipped at once (no window is claimed or waited for). One subject's failing push
    does not keep the others from theirs; the first failure is raised afterwards (the stream then
    delivers the changes again)."""
    pending = {subject for subject in subjects if listened(subject)}
    reached: dict[str, int] = {}
    failure: Exception | None = None
    while pending:
        waits = []
        for subject in sorted(pending):
            window = windows.claim(f"{kind}#{subject}", seen_at, PUSH_INTERVAL_SECONDS)
            if window.claimed:
                pending.discard(subject)
                try:
                    reached[subject] = push(subject)
                except Exception as error:
                    logger.exception("%s push for %s failed", kind, subject)
                    failure = failure or error
            elif window.covered:
                pending.discard(subject)
            else:
                waits.append(window.wait_seconds)
        if pending:
            time.sleep(min(waits))
    if failure is not None:
        raise failure
    return reached
