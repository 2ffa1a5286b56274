"""Rules for an event's services: tracks, sessions, speakers, sponsors and microlocations.

Each validator takes the client's (partial) payload merged over the stored fields and returns
the complete, cleaned field set, or raises ValidationError with one message per field path.
"""

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.domain.errors import ValidationError
from chalicelib.domain.events import parse_instant
from chalicelib.domain.users import normalize_email, validate_email


@dataclass(frozen=True)
class Service:
    name: str
    collection: str
    sk_prefix: str
    counter: str


SERVICES: dict[str, Service] = {
    "track": Service("track", "tracks", "TRACK#", "tracks_ver"),
    "session": Service("session", "sessions", "SESSION#", "sessions_ver"),
    "speaker": Service("speaker", "speakers", "SPEAKER#", "speakers_ver"),
    "sponsor": Service("sponsor", "sponsors", "SPONSOR#", "sponsors_ver"),
    "microlocation": Service("microlocation", "microlocations", "MICROLOCATION#", "microlocations_ver"),
}

SESSION_STATES = ("draft", "pending", "accepted", "confirmed", "rejected")
MAX_SPEAKERS_PER_SESSION = 50
MAX_ID = 64
MAX_NAME = 150
MAX_LONG_TEXT = 10_000
MAX_URL = 2_000
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
# An http(s) address with a host; no whitespace, control characters or characters a URL cannot
# hold (< > " { } | backslash ^ `), which also keeps it safe inside an HTML attribute. Non-ASCII
# letters are fine (https://münchen.de). chalicelib.http.schemas documents the same pattern.
URL_PATTERN = r'^https?://[^\s\x00-\x1f\x7f<>"{}|\\^`/$.?#][^\s\x00-\x1f\x7f<>"{}|\\^`]*$'
_URL = re.compile(URL_PATTERN)
# Session fields that point at other services of the same event.
SINGLE_REFERENCES = {"track_id": "track", "microlocation_id": "microlocation"}
LIST_REFERENCES = {"speaker_ids": "speaker"}
# Services that sessions refer to: deleting one still in use needs ?force=true.
REFERENCED_SERVICES = frozenset({"track", "microlocation", "speaker"})


class _Fields:
    """Collects cleaned values and per-field errors for one payload."""

    def __init__(self, merged: dict[str, Any]) -> None:
        self.merged = merged
        self.clean: dict[str, Any] = {}
        self.errors: dict[str, str] = {}

    def text(self, field: str, limit: int, required: bool = False) -> None:
        value = self.merged.get(field)
        if value is None and not required:
            self.clean[field] = ""
        elif not isinstance(value, str):
            self.errors[field] = "This is required." if value is None else "Give text."
        elif required and not value.strip():
            self.errors[field] = "This is required."
        elif len(value.strip()) > limit:
            self.errors[field] = f"Use at most {limit} characters."
        else:
            self.clean[field] = value.strip()

    def optional(self, field: str, check: Callable[[Any], tuple[Any, str | None]]) -> None:
        value = self.merged.get(field)
        if value is None or value == "":
            self.clean[field] = None
            return
        cleaned, error = check(value)
        if error:
            self.errors[field] = error
        else:
            self.clean[field] = cleaned

    def instant(self, field: str) -> datetime | None:
        moment = parse_instant(self.merged.get(field), field, self.errors)
        if moment is not None:
            self.clean[field] = moment.isoformat()
        return moment

    def choice(self, field: str, choices: tuple[str, ...]) -> None:
        value = self.merged.get(field)
        if value not in choices:
            self.errors[field] = f"Use one of {', '.join(choices)}."
        else:
            self.clean[field] = value


def _url(value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, str) or len(value) > MAX_URL or not _URL.match(value.strip()):
        return None, "Give an http:// or https:// address."
    return value.strip(), None


def _color(value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, str) or not _COLOR.match(value.strip()):
        return None, "Give a colour as #rrggbb."
    return value.strip().lower(), None


def _reference(value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_ID:
        return None, "Give the id of an item of this event."
    return value.strip(), None


def _email(value: Any) -> tuple[Any, str | None]:
    error = validate_email(value).get("email")
    return (None, error) if error else (normalize_email(value), None)


def _number(low: float, high: float, whole: bool = False) -> Callable[[Any], tuple[Any, str | None]]:
    def check(value: Any) -> tuple[Any, str | None]:
        kind = "a whole number" if whole else "a number"
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            return None, f"Give {kind} from {low:g} to {high:g}."
        if whole and not float(value).is_integer():
            return None, f"Give {kind} from {low:g} to {high:g}."
        if not low <= value <= high:
            return None, f"Give {kind} from {low:g} to {high:g}."
        return (int(value) if whole else value), None

    return check


def _track(fields: _Fields) -> None:
    fields.text("name", MAX_NAME, required=True)
    fields.text("description", MAX_LONG_TEXT)
    fields.optional("color", _color)
    fields.text("location", 300)


def _speaker(fields: _Fields) -> None:
    fields.text("name", MAX_NAME, required=True)
    fields.optional("email", _email)
    fields.text("bio", MAX_LONG_TEXT)
    fields.text("organisation", 200)
    fields.optional("photo_url", _url)


def _sponsor(fields: _Fields) -> None:
    fields.text("name", MAX_NAME, required=True)
    fields.optional("url", _url)
    fields.optional("logo_url", _url)
    fields.text("level", 100)


def _microlocation(fields: _Fields) -> None:
    fields.text("name", MAX_NAME, required=True)
    fields.optional("floor", _number(-1000, 1000, whole=True))
    fields.text("room", 100)
    fields.optional("latitude", _number(-90, 90))
    fields.optional("longitude", _number(-180, 180))


def _speaker_ids(fields: _Fields) -> None:
    value = fields.merged.get("speaker_ids")
    if value is None:
        fields.clean["speaker_ids"] = []
        return
    if not isinstance(value, list):
        fields.errors["speaker_ids"] = "Give a list of speaker ids."
        return
    if len(value) > MAX_SPEAKERS_PER_SESSION:
        fields.errors["speaker_ids"] = f"Give at most {MAX_SPEAKERS_PER_SESSION} speakers."
        return
    ids: list[str] = []
    for index, speaker_id in enumerate(value):
        cleaned, error = _reference(speaker_id)
        if error:
            fields.errors[f"speaker_ids[{index}]"] = error
        elif cleaned in ids:
            fields.errors[f"speaker_ids[{index}]"] = "This speaker is listed twice."
        else:
            ids.append(cleaned)
    fields.clean["speaker_ids"] = ids


def _session(fields: _Fields, window: tuple[str, str] | None) -> None:
    fields.text("title", 200, required=True)
    fields.text("subtitle", 200)
    fields.text("abstract", MAX_LONG_TEXT)
    starts = fields.instant("starts_at")
    ends = fields.instant("ends_at")
    if starts and ends and ends <= starts:
        fields.errors["ends_at"] = "The session must end after it starts."
    if window and starts and ends:
        event_starts, event_ends = (datetime.fromisoformat(moment) for moment in window)
        if starts < event_starts:
            fields.errors["starts_at"] = "The session cannot start before the event starts."
        if ends > event_ends:
            fields.errors["ends_at"] = "The session cannot end after the event ends."
    for field in SINGLE_REFERENCES:
        fields.optional(field, _reference)
    _speaker_ids(fields)
    fields.choice("state", SESSION_STATES)


_DEFAULTS: dict[str, dict[str, Any]] = {
    "track": {},
    "session": {"state": "pending"},
    "speaker": {},
    "sponsor": {},
    "microlocation": {},
}
EDITABLE: dict[str, tuple[str, ...]] = {
    "track": ("name", "description", "color", "location"),
    "session": (
        "title",
        "subtitle",
        "abstract",
        "starts_at",
        "ends_at",
        "track_id",
        "microlocation_id",
        "speaker_ids",
        "state",
    ),
    "speaker": ("name", "email", "bio", "organisation", "photo_url"),
    "sponsor": ("name", "url", "logo_url", "level"),
    "microlocation": ("name", "floor", "room", "latitude", "longitude"),
}


def validate_service(
    service: str,
    payload: dict[str, Any],
    current: dict[str, Any] | None = None,
    event_window: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """The complete cleaned fields of a create (``current`` None) or of a partial update.

    ``event_window`` is the event's (starts_at, ends_at): sessions must lie inside it.
    """
    editable = EDITABLE[service]
    errors = {key: "Unknown field." for key in payload if key not in editable}
    base = current if current is not None else _DEFAULTS[service]
    fields = _Fields({**base, **{k: v for k, v in payload.items() if k in editable}})
    if service == "session":
        _session(fields, event_window)
    else:
        {"track": _track, "speaker": _speaker, "sponsor": _sponsor, "microlocation": _microlocation}[service](
            fields
        )
    errors.update(fields.errors)
    if errors:
        raise ValidationError(errors)
    return fields.clean


def references(service: str, fields: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(field path, service, id) of every item of the event these fields point at."""
    if service != "session":
        return []
    found = [
        (field, target, fields[field]) for field, target in SINGLE_REFERENCES.items() if fields.get(field)
    ]
    for field, target in LIST_REFERENCES.items():
        found += [(f"{field}[{i}]", target, ref) for i, ref in enumerate(fields.get(field) or [])]
    return found


def uses(session_fields: dict[str, Any], service: str, item_id: str) -> bool:
    return any(
        target == service and ref == item_id for _, target, ref in references("session", session_fields)
    )


def unlink(session_fields: dict[str, Any], service: str, item_id: str) -> dict[str, Any]:
    """The session's fields without its reference to ``item_id`` of ``service``."""
    fields = dict(session_fields)
    for field, target in SINGLE_REFERENCES.items():
        if target == service and fields.get(field) == item_id:
            fields[field] = None
    for field, target in LIST_REFERENCES.items():
        if target == service:
            fields[field] = [ref for ref in fields.get(field) or [] if ref != item_id]
    return fields


def session_order(fields: dict[str, Any]) -> tuple[datetime, str]:
    """Chronological (offsets differ between sessions, so not the ISO strings), then by title."""
    return (datetime.fromisoformat(fields["starts_at"]), fields["title"].lower())
