"""The waiting room of an on-sale: arrivals take consecutive numbers, and number ``n`` is admitted
once ``n <= admitted_base + admit_per_minute * minutes since opened_at``. Admission is a function
of the clock, so nothing runs in the background and no write happens as the line moves.

``opened_at`` and ``admitted_base`` are the server's: switching the room on opens it now with
everyone who took a number before already admitted; changing the rate restarts the clock from the
position admitted at that moment, so nobody admitted is ever un-admitted and the new rate applies
from then on. Switched off, orders need no admission (every number counts as admitted)."""

import math
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from chalicelib.domain.errors import ConflictError, ForbiddenError
from chalicelib.domain.fields import Flag, Integer, Text
from chalicelib.domain.objects import Object, sent

MAX_ADMIT_PER_MINUTE = 100_000
DEFAULT_ADMIT_PER_MINUTE = 100
# An admission lets its holder place one order within this time; asking again (while still
# admitted) gives a fresh one, so a copied admission stops working soon.
ADMISSION_TTL = timedelta(minutes=10)

SETTINGS = Object(
    {
        "enabled": Flag(),
        "admit_per_minute": Integer(
            1,
            MAX_ADMIT_PER_MINUTE,
            description="How many people in line are let through to the ticket form per minute",
        ),
    },
    title="WaitingRoom",
    required=("enabled", "admit_per_minute"),
    description="While enabled, buyers take a number and order once admitted (X-Admission)",
)


def off() -> dict[str, Any]:
    return {"enabled": False, "admit_per_minute": DEFAULT_ADMIT_PER_MINUTE}


QUEUE_TICKET = sent(
    "QueueTicket",
    {
        "queue_id": Text(min_len=1, description="Unguessable; keep it to keep the place"),
        "position": Integer(minimum=1),
        "estimated_wait_s": Integer(minimum=0),
    },
)
QUEUE_STATUS = sent(
    "QueueStatus",
    {
        "position": Integer(minimum=1),
        "admitted": Flag(),
        "admitted_through": Integer(minimum=0, description="The highest position admitted now"),
        "admit_per_minute": Integer(minimum=1),
        "estimated_wait_s": Integer(minimum=0),
        "admission": Text(min_len=1, description="Send as X-Admission when placing the order"),
        "admission_expires_at": Text(fmt="date-time"),
    },
    optional=("admission", "admission_expires_at"),
)


class Room(NamedTuple):
    """An event's waiting room as stored on the event item (a NamedTuple: a dataclass costs cold
    start)."""

    enabled: bool
    admit_per_minute: int
    opened_at: datetime | None
    admitted_base: int

    def admitted_through(self, moment: datetime) -> int:
        """The highest number admitted at ``moment`` (everyone below it is admitted too)."""
        if self.opened_at is None:
            return self.admitted_base
        minutes = max(0.0, (moment - self.opened_at).total_seconds() / 60)
        return self.admitted_base + math.floor(self.admit_per_minute * minutes)

    def admits(self, position: int, moment: datetime) -> bool:
        return not self.enabled or position <= self.admitted_through(moment)

    def wait_seconds(self, position: int, moment: datetime) -> int:
        """How long until ``position`` is admitted at the current rate (0 once it is)."""
        if self.admits(position, moment):
            return 0
        behind = position - self.admitted_through(moment)
        return math.ceil(behind * 60 / self.admit_per_minute)


def reopened(before: Room, settings: dict[str, Any], moment: datetime, taken: int) -> tuple[datetime, int]:
    """``opened_at`` and ``admitted_base`` once ``settings`` replace ``before`` at ``moment``:
    switching on admits the ``taken`` numbers handed out so far and starts the clock; a new rate
    while on keeps who is admitted and starts the clock again from there."""
    if not before.enabled or before.opened_at is None:
        return moment, taken
    if settings["admit_per_minute"] != before.admit_per_minute or not settings["enabled"]:
        return moment, before.admitted_through(moment)
    return before.opened_at, before.admitted_base


def not_admitted() -> ForbiddenError:
    return ForbiddenError(
        "This on-sale has a waiting room: take a number and order once you are admitted.",
        code="not_admitted",
    )


def admission_invalid() -> ForbiddenError:
    return ForbiddenError("This admission is not one we issued for this event.", code="admission_invalid")


def admission_expired() -> ForbiddenError:
    return ForbiddenError(
        "Your admission has expired; check your place in line for a new one.", code="admission_expired"
    )


def admission_used() -> ForbiddenError:
    return ForbiddenError("This admission has already been used for an order.", code="admission_used")


def room_closed() -> ConflictError:
    return ConflictError("This event has no waiting room open; order directly.", code="no_waiting_room")
