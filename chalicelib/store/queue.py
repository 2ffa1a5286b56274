"""The waiting room on the tables: one counter item per event hands out numbers (a single atomic
``ADD``, never read-then-write), queue ids and admissions are HMAC-signed with the token secret
(nothing stored per arrival), and an admission's number is spent by a conditional put in the
order's own transaction."""

import base64
import hashlib
import hmac
from datetime import UTC, datetime

from pynamodb.exceptions import DoesNotExist

from chalicelib.domain import waiting_room as room
from chalicelib.store.models.events import EventModel
from chalicelib.store.models.system import SystemItemModel
from chalicelib.store.secrets import jwt_secret
from chalicelib.store.transactions import Transaction

ADMISSION_TAG = "admission"
_COUNTER_SK = "counter"


def _counter(event_id: str) -> SystemItemModel:
    return SystemItemModel(f"QUEUE#{event_id}", _COUNTER_SK)


def room_of(event: EventModel) -> room.Room:
    settings = event.waiting_room or room.off()
    opened = event.queue_opened_at
    return room.Room(
        enabled=bool(settings["enabled"]),
        admit_per_minute=int(settings["admit_per_minute"]),
        opened_at=datetime.fromisoformat(opened) if opened else None,
        admitted_base=int(event.queue_admitted_base or 0),
    )


def reopening(event: EventModel, settings: dict, moment: datetime) -> dict[str, object]:
    """The server's clock fields once the organizer's ``settings`` replace the event's."""
    before = room_of(event)
    taken = numbers_taken(event.event_id) if not before.enabled and settings["enabled"] else 0
    opened_at, base = room.reopened(before, settings, moment, taken)
    return {"queue_opened_at": opened_at.isoformat(), "queue_admitted_base": base}


def take_number(event_id: str) -> int:
    """The next number in line: 1, 2, 3 ... without gaps or repeats, however many arrive at once."""
    counter = _counter(event_id)
    counter.update(actions=[SystemItemModel.version.add(1)])
    return int(counter.version)


def numbers_taken(event_id: str) -> int:
    try:
        return int(SystemItemModel.get(f"QUEUE#{event_id}", _COUNTER_SK, consistent_read=True).version)
    except DoesNotExist:
        return 0


def _signature(purpose: str, *parts: str) -> str:
    message = "\n".join((purpose, *parts)).encode()
    digest = hmac.new(jwt_secret().encode(), message, hashlib.sha256).digest()[:18]
    return base64.urlsafe_b64encode(digest).decode()


def _signed(value: str, expected: str) -> bool:
    return hmac.compare_digest(value.encode(), expected.encode())


def queue_id(event_id: str, position: int) -> str:
    return f"{position}.{_signature('queue', event_id, str(position))}"


def position_of(event_id: str, queue_id_text: str) -> int | None:
    """The number a queue id stands for, or None when it is not one we issued for this event."""
    number, _, signature = queue_id_text.partition(".")
    if not number.isdigit() or len(number) > 12 or not signature:
        return None
    return int(number) if _signed(signature, _signature("queue", event_id, number)) else None


def admission(event_id: str, position: int, expires_at: datetime) -> str:
    expires = str(int(expires_at.timestamp()))
    return f"{position}.{expires}.{_signature('admission', event_id, str(position), expires)}"


def admitted_position(event_id: str, token: str, moment: datetime) -> int:
    """The number an admission was issued to; ForbiddenError when forged or expired."""
    parts = token.split(".")
    if len(parts) != 3:
        raise room.admission_invalid()
    number, expires, signature = parts
    if not (number.isdigit() and expires.isdigit() and len(number) <= 12 and len(expires) <= 12):
        raise room.admission_invalid()
    if not _signed(signature, _signature("admission", event_id, number, expires)):
        raise room.admission_invalid()
    if datetime.fromtimestamp(int(expires), UTC) <= moment:
        raise room.admission_expired()
    return int(number)


def stage_admission_use(transaction: Transaction, event_id: str, position: int, used_at: str) -> None:
    """Spend the number in ``transaction``: a second order with any admission of it fails."""
    used = SystemItemModel(f"ADMISSION#{event_id}#{position}", "used", data={"used_at": used_at})
    transaction.save(used, condition=SystemItemModel.pk.does_not_exist(), tag=ADMISSION_TAG)
