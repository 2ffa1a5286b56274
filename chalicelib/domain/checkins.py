"""Check-in at the door: what a scanner sends, what each scan answers, and the rules that decide
an answer from what is stored. Pure: no boto3, no PynamoDB, no HTTP.

A scan's answer is decided once and kept (the scan id is its idempotency key): ``ok`` admits the
attendee (exactly one scan per attendee ever gets it), ``already_checked_in`` names when the
first admission was, ``revoked`` is a ticket of a cancelled or refunded order, ``unknown`` a code
no attendee has (forged, mistyped), ``wrong_event`` a real ticket of another event. A scan names
its attendee by the code (a QR, a typed code) or by the attendee's id (door staff found them by
name in the check-in list); an id is looked up in this event only, so another event's attendee id
is ``unknown`` too (ids cannot be probed across events).
"""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from chalicelib.domain.attendees import REVOKED, STATUSES, code_sha256
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.events import instant_field
from chalicelib.domain.fields import Choice, Integer, Matching, Text
from chalicelib.domain.objects import ListOf, Object, field_of, list_of, sent

OK = "ok"
ALREADY_CHECKED_IN = "already_checked_in"
UNKNOWN = "unknown"
REVOKED_RESULT = "revoked"
WRONG_EVENT = "wrong_event"
RESULTS = (OK, ALREADY_CHECKED_IN, UNKNOWN, REVOKED_RESULT, WRONG_EVENT)
MAX_SCANS = 500
SCAN_ID_REUSED = "This scan id was sent before for another ticket; give each scan its own id."
MAX_DEVICE = 64
# Codes are 32 characters; a little room for whitespace a reader adds, never a megabyte.
MAX_CODE = 100
# Attendee ids are ``<32 hex>-<seat>``; anything longer is not one.
MAX_ATTENDEE_ID = 64
SCAN_ID_PATTERN = "^[A-Za-z0-9_-]{1,64}$"

SCAN = Object(
    {
        "id": Matching(
            "Give the scan's id: 1 to 64 letters, digits, - or _ (a UUID).",
            pattern=SCAN_ID_PATTERN,
            max_len=64,
            strip=False,
            description="The scanner's id for this scan (a UUID): sent again, it gets the same answer",
        ),
        "code": Text(MAX_CODE, required="Give the scanned code.", description="What the ticket's QR encodes"),
        "attendee_id": Text(
            MAX_ATTENDEE_ID,
            required="Give the attendee's id from the check-in list.",
            description="Instead of a code: the attendee's id in the check-in list (found by name)",
        ),
        "scanned_at": instant_field(),
        "device": Text(MAX_DEVICE, required="Name the scanning device (a door, a phone)."),
    },
    required=("id", "scanned_at", "device"),
    exactly_one=("code", "attendee_id"),
    exactly_one_message="Send either code or attendee_id: one of them, not both.",
    unknown=lambda key: "Unknown field; send id, code or attendee_id, scanned_at and device.",
)
CHECKINS_REQUEST = Object(
    {
        "scans": ListOf(
            SCAN,
            min_items=1,
            max_items=MAX_SCANS,
            message=f"Give a list of 1 to {MAX_SCANS} scans.",
            too_many=f"Send at most {MAX_SCANS} scans a request; send the rest in another.",
            duplicate="This scan id is already in the batch.",
            identity=field_of("id"),
            duplicate_at="id",
        )
    },
    required=("scans",),
    unknown=lambda key: "Unknown field; send scans.",
    examples=[
        {
            "scans": [
                {
                    "id": "6f1c2a9e-2b7d-4c1e-9a53-0d6b1f0e8c11",
                    "code": "MZXW6YTBOI2DKNRXHA4TAMJSGM2DKNRX",
                    "scanned_at": "2026-05-01T19:02:11+02:00",
                    "device": "North door",
                },
                {
                    "id": "0b6f3f57-8d2a-4d8e-b7f5-3c1d2e4a9f20",
                    "attendee_id": "9f2c4e1a7b3d4c5e8f6a1b2c3d4e5f60-2",
                    "scanned_at": "2026-05-01T19:02:40+02:00",
                    "device": "North door",
                },
            ]
        }
    ],
)

_ID = Text(min_len=1)
_MAYBE_INSTANT = Text(fmt="date-time", nullable=True, null_value=None)
SCANNED_ATTENDEE = sent(
    "ScannedAttendee", {"id": _ID, "name": Text(), "ticket_id": _ID, "ticket_name": Text()}
)
SCAN_RESULT = sent(
    "ScanResult",
    {
        "id": _ID,
        "result": Choice(RESULTS),
        "attendee": SCANNED_ATTENDEE,
        "first_checked_in_at": Text(fmt="date-time", description="When the attendee was admitted"),
    },
    optional=("attendee", "first_checked_in_at"),
)
CHECKINS_RESPONSE = sent("CheckinResults", {"results": list_of(SCAN_RESULT)})

CHECKIN_ENTRY = sent(
    "CheckinEntry",
    {
        "id": Text(min_len=1, source="attendee_id"),
        "name": Text(),
        "ticket_id": _ID,
        "ticket_name": Text(),
        "code_sha256": Text(
            min_len=64, max_len=64, description="SHA-256 (hex) of the code, upper-cased and stripped"
        ),
        "status": Choice(STATUSES),
        "checked_in_at": _MAYBE_INSTANT,
    },
)
CHECKIN_LIST = list_of(CHECKIN_ENTRY)

_COUNT = Integer(0, None)
COUNTS = sent("CheckinCounts", {"checked_in": _COUNT, "valid": _COUNT})
CHECKIN_SUMMARY = sent(
    "CheckinSummary",
    {
        "total": COUNTS,
        "tickets": list_of(
            sent("TicketCheckins", {"ticket_id": _ID, "name": Text(), "checked_in": _COUNT, "valid": _COUNT})
        ),
    },
)


class Door(NamedTuple):
    """What is stored about a scanned attendee, as the rules need it."""

    attendee_id: str
    status: str
    checked_in_at: str | None
    checked_in_scan: str | None


def decided_by_record(scan_id: str, door: Door) -> str | None:
    """The answer the attendee's record gives on its own, or None when only the admission itself
    (the conditional write) can tell. An admission is never undone and a revocation never lifted,
    so an answer read here stays true."""
    if door.checked_in_scan == scan_id:
        return OK
    if door.checked_in_at is not None:
        return ALREADY_CHECKED_IN
    if door.status == REVOKED:
        return REVOKED_RESULT
    return None


def repeated(first: str) -> str:
    """The answer of a later scan of the same attendee in the same batch, given the first's."""
    return ALREADY_CHECKED_IN if first == OK else first


def admitted_at(scanned_at: str, moment: datetime) -> str:
    """When the attendee entered: the scanner's time (an offline door syncs later), never later
    than now (a device clock running ahead)."""
    scanned = datetime.fromisoformat(scanned_at)
    return (scanned if scanned <= moment else moment).isoformat()


def summary(tickets: list[Mapping[str, Any]]) -> dict[str, Any]:
    """{total, tickets} of rows {ticket_id, name, checked_in, valid}."""
    return {
        "total": {
            "checked_in": sum(int(t["checked_in"]) for t in tickets),
            "valid": sum(int(t["valid"]) for t in tickets),
        },
        "tickets": list(tickets),
    }


def check_ids_kept(
    sent: Sequence[Mapping[str, Any]], stored: Mapping[str, tuple[str | None, str | None]]
) -> None:
    """A scan id answered before names the same ticket again (``stored``: scan id -> (code_sha256,
    attendee id) it sent), else 422 at the scan: its old answer is not this scan's."""
    problems = {}
    for index, scan in enumerate(sent):
        before = stored.get(scan["id"])
        if before is None:
            continue
        now = (code_sha256(scan["code"]) if "code" in scan else None, scan.get("attendee_id"))
        if now != before:
            problems[f"scans[{index}].id"] = SCAN_ID_REUSED
    if problems:
        raise ValidationError(problems)
