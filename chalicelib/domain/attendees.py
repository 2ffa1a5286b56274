"""Attendees: one per seat of a completed order, each with a code its QR carries.

Seats are numbered from 1 across the order's lines, in order (two of ticket A, one of B: seats
1 and 2 are A's, 3 is B's); an attendee's id is ``<order_id>-<seat>``, so making an order's
attendees twice makes the same ones. A seat's code is an HMAC of the seat under the order's own
random key (160 bits, base32): unguessable, the same each time it is derived, and never stored
in the check-in list (which holds its SHA-256). Pure: no boto3, no PynamoDB, no HTTP.
"""

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any, NamedTuple

from chalicelib.domain.errors import ConflictError
from chalicelib.domain.fields import Choice, Schemaless, Text
from chalicelib.domain.objects import Object, sent
from chalicelib.domain.questions import Answers
from chalicelib.domain.users import email_field

VALID = "valid"
REVOKED = "revoked"
STATUSES = (VALID, REVOKED)
MAX_NAME = 200
MAX_EMAIL = 254
_CODE_BYTES = 20
_ID = re.compile(r"^([0-9a-f]{32})-([1-9][0-9]{0,5})$")


def new_ticket_key() -> str:
    return secrets.token_hex(32)


def attendee_id(order_id: str, seat: int) -> str:
    return f"{order_id}-{seat}"


def parse_attendee_id(value: str) -> tuple[str, int] | None:
    """(order id, seat) of an attendee id, or None for anything that is not one."""
    match = _ID.fullmatch(value)
    return (match.group(1), int(match.group(2))) if match else None


def seat_code(ticket_key: str, order_id: str, seat: int) -> str:
    digest = hmac.new(bytes.fromhex(ticket_key), f"{order_id}:{seat}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:_CODE_BYTES]).decode().rstrip("=")


def code_sha256(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


class Seat(NamedTuple):
    """One attendee-to-be of an order, as the order describes it."""

    seat: int
    ticket_id: str
    ticket_name: str
    unit_price: Decimal
    name: str
    email: str
    answers: Mapping[str, Any] = MappingProxyType({})


def seats_of(lines: Sequence[Mapping[str, Any]], buyer_name: str, buyer_email: str) -> list[Seat]:
    """The seats of an order's lines (their stored records). A line may carry ``attendees``
    (what the buyer gave per seat at checkout); a seat without them is the buyer's."""
    seats: list[Seat] = []
    for line in lines:
        given = list(line.get("attendees") or [])
        for index in range(int(line["quantity"])):
            person = given[index] if index < len(given) else {}
            seats.append(
                Seat(
                    seat=len(seats) + 1,
                    ticket_id=str(line["ticket_id"]),
                    ticket_name=str(line["name"]),
                    unit_price=Decimal(str(line["unit_price"])),
                    name=str(person.get("name") or buyer_name),
                    email=str(person.get("email") or buyer_email),
                    answers=dict(person.get("answers") or {}),
                )
            )
    return seats


def check_editable(event_starts_at: datetime, moment: datetime) -> None:
    """Buyers change their attendees until the event starts."""
    if moment >= event_starts_at:
        raise ConflictError(
            "The event has started: attendee details can no longer be changed.", code="event_started"
        )


ATTENDEE_PATCH = Object(
    {
        "name": Text(MAX_NAME, required="Give the attendee's name."),
        "email": email_field(MAX_EMAIL),
        "answers": Answers(
            description="{question_id: answer}, all of them: replaces the attendee's answers and "
            "meets the event's questions for this ticket like an order does"
        ),
    },
    empty="Send name, email or answers.",
    unknown=lambda key: "Unknown field; send name, email and answers.",
    examples=[{"name": "Ada Lovelace", "email": "ada@example.com"}],
)

_MAYBE_INSTANT = Text(fmt="date-time", nullable=True, null_value=None)
ATTENDEE = sent(
    "Attendee",
    {
        "id": Text(min_len=1, source="attendee_id"),
        "order_id": Text(min_len=1),
        "ticket_id": Text(min_len=1),
        "ticket_name": Text(),
        "name": Text(),
        "email": Text(),
        "answers": Schemaless({"type": "object"}),
        "code": Text(min_len=1, description="What the attendee's QR code encodes"),
        "status": Choice(STATUSES),
        "checked_in_at": _MAYBE_INSTANT,
    },
)
