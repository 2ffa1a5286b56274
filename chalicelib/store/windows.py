"""Push windows in the system table: who sends the next coalesced push of a subject (an event's
availability, its check-in counts), decided by one conditional write, so that however many stream
batches of however many Lambda instances see changes of the subject, at most one push starts per
window."""

import time
from dataclasses import dataclass

from pynamodb.exceptions import UpdateError

from chalicelib.store.models.system import SystemItemModel

# Kept a while after the last push; DynamoDB's TTL removes idle subjects' items.
_KEEP_SECONDS = 3600


@dataclass(frozen=True)
class Window:
    """``claimed``: push now. Else ``covered``: a push that began after the change was seen will
    show it. Else wait ``wait_seconds`` and ask again."""

    claimed: bool
    covered: bool = False
    wait_seconds: float = 0.0


def _key(subject: str) -> tuple[str, str]:
    return f"PUSHED#{subject}", "last"


def claim(subject: str, seen_at: float, every_seconds: float) -> Window:
    """Claim the subject's next push, whose read of the state must begin after ``seen_at`` (epoch
    seconds, when the changes it is to show were known to be committed)."""
    now_ms = int(time.time() * 1000)
    every_ms = int(every_seconds * 1000)
    item = SystemItemModel(*_key(subject))
    try:
        item.update(
            actions=[
                SystemItemModel.version.set(now_ms),
                SystemItemModel.expires_at.set(now_ms // 1000 + _KEEP_SECONDS),
            ],
            condition=SystemItemModel.version.does_not_exist()
            | (SystemItemModel.version <= now_ms - every_ms),
        )
        return Window(claimed=True)
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
    last_ms = int(SystemItemModel.get(*_key(subject), consistent_read=True).version)
    if last_ms >= int(seen_at * 1000):
        return Window(claimed=False, covered=True)
    return Window(claimed=False, wait_seconds=max(0.01, (last_ms + every_ms - now_ms) / 1000))
