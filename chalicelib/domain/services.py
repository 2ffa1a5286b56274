"""Rules for an event's services: tracks, sessions, speakers, sponsors and microlocations.

Each service's field table (SERVICE_INPUTS) checks a create whole and an update merged over the
stored fields, returning the complete, cleaned field set, or raises ValidationError with one
message per field path; it is also what the OpenAPI document describes.
"""

from datetime import datetime
from typing import Any, NamedTuple

from chalicelib.domain.events import INSTANT, MAYBE_INSTANT, instant_field
from chalicelib.domain.fields import Choice, Clearable, Field, Matching, Number, Text
from chalicelib.domain.objects import ListOf, Object, Report, Rule, sent
from chalicelib.domain.users import email_field


class Service(NamedTuple):
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
# An http(s) address with a host; no whitespace, control characters or characters a URL cannot
# hold (< > " { } | backslash ^ `), which also keeps it safe inside an HTML attribute. Non-ASCII
# letters are fine (https://münchen.de).
URL_PATTERN = r'^https?://[^\s\x00-\x1f\x7f<>"{}|\\^`/$.?#][^\s\x00-\x1f\x7f<>"{}|\\^`]*$'
# Session fields that point at other services of the same event.
SINGLE_REFERENCES = {"track_id": "track", "microlocation_id": "microlocation"}
LIST_REFERENCES = {"speaker_ids": "speaker"}
# Services that sessions refer to: deleting one still in use needs ?force=true.
REFERENCED_SERVICES = frozenset({"track", "microlocation", "speaker"})


_TEXT_REQUIRED = "This is required."


def _text(limit: int, required: bool = False) -> Text:
    """Free text: null or absent is stored as "" unless ``required``."""
    return Text(limit, nullable=not required, required=_TEXT_REQUIRED if required else None)


def _url() -> Clearable:
    return Clearable(Matching("Give an http:// or https:// address.", pattern=URL_PATTERN, max_len=MAX_URL))


def _reference(**options: Any) -> Matching:
    return Matching("Give the id of an item of this event.", min_len=1, max_len=MAX_ID, **options)


def _ends_after_start(values: dict[str, Any], report: Report, context: Any) -> None:
    if datetime.fromisoformat(values["ends_at"]) <= datetime.fromisoformat(values["starts_at"]):
        report("ends_at", "The session must end after it starts.")


def _inside_event(values: dict[str, Any], report: Report, event_window: tuple[str, str]) -> None:
    event_starts, event_ends = (datetime.fromisoformat(moment) for moment in event_window)
    if datetime.fromisoformat(values["starts_at"]) < event_starts:
        report("starts_at", "The session cannot start before the event starts.")
    if datetime.fromisoformat(values["ends_at"]) > event_ends:
        report("ends_at", "The session cannot end after the event ends.")


def _examples(example: dict[str, Any]) -> list[dict[str, Any]]:
    return [example]


# What each service's create checks whole and its update over the stored item
# (``validate_service``); the context of a check is the event's (starts_at, ends_at).
SERVICE_INPUTS: dict[str, Object] = {
    "track": Object(
        {
            "name": _text(MAX_NAME, required=True),
            "description": _text(MAX_LONG_TEXT),
            "color": Clearable(
                Matching("Give a colour as #rrggbb.", pattern="^#[0-9a-fA-F]{6}$", clean=str.lower)
            ),
            "location": _text(300),
        },
        required=("name",),
        absent_as_null=True,
        examples=_examples({"name": "Main track", "color": "#336699"}),
    ),
    "session": Object(
        {
            "title": _text(200, required=True),
            "subtitle": _text(200),
            "abstract": _text(MAX_LONG_TEXT),
            "starts_at": instant_field(),
            "ends_at": instant_field(),
            "track_id": Clearable(_reference(description="id of an item")),
            "microlocation_id": Clearable(_reference(description="id of an item")),
            "speaker_ids": ListOf(
                _reference(),
                max_items=MAX_SPEAKERS_PER_SESSION,
                message="Give a list of speaker ids.",
                too_many=f"Give at most {MAX_SPEAKERS_PER_SESSION} speakers.",
                duplicate="This speaker is listed twice.",
                nullable=True,
            ),
            "state": Choice(SESSION_STATES),
        },
        required=("title", "starts_at", "ends_at"),
        defaults={"state": "pending"},
        absent_as_null=True,
        rules=(
            Rule(("starts_at", "ends_at"), _ends_after_start),
            Rule(("starts_at", "ends_at"), _inside_event, needs_context=True),
        ),
        examples=_examples(
            {
                "title": "Keynote",
                "starts_at": "2027-05-01T10:00:00+02:00",
                "ends_at": "2027-05-01T11:00:00+02:00",
            }
        ),
    ),
    "speaker": Object(
        {
            "name": _text(MAX_NAME, required=True),
            "email": Clearable(email_field()),
            "bio": _text(MAX_LONG_TEXT),
            "organisation": _text(200),
            "photo_url": _url(),
        },
        required=("name",),
        absent_as_null=True,
        examples=_examples({"name": "Ada Lovelace", "email": "ada@example.com"}),
    ),
    "sponsor": Object(
        {"name": _text(MAX_NAME, required=True), "url": _url(), "logo_url": _url(), "level": _text(100)},
        required=("name",),
        absent_as_null=True,
        examples=_examples({"name": "ACME", "url": "https://example.com"}),
    ),
    "microlocation": Object(
        {
            "name": _text(MAX_NAME, required=True),
            "floor": Clearable(Number(-1000, 1000, whole=True)),
            "room": _text(100),
            "latitude": Clearable(Number(-90, 90)),
            "longitude": Clearable(Number(-180, 180)),
        },
        required=("name",),
        absent_as_null=True,
        examples=_examples({"name": "Room 1", "floor": 1}),
    ),
}
SERVICE_CHANGES = {name: table.partial() for name, table in SERVICE_INPUTS.items()}
EDITABLE: dict[str, tuple[str, ...]] = {name: tuple(table.fields) for name, table in SERVICE_INPUTS.items()}
_SESSION_LINK = sent(None, {"id": Text(min_len=1), "title": Text()})


def service_item(service: str) -> Object:
    """An item as the API sends it back: its fields as stored, and what the server sets."""
    after: dict[str, Field] = {"created_at": INSTANT, "updated_at": MAYBE_INSTANT}
    if service == "track":
        after["sessions"] = ListOf(_SESSION_LINK)
    return SERVICE_INPUTS[service].response(service.capitalize(), {"id": Text(min_len=1)}, after)


def validate_service(
    service: str,
    payload: dict[str, Any],
    current: dict[str, Any] | None = None,
    event_window: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """The complete cleaned fields of a create (``current`` None) or of a partial update.

    ``event_window`` is the event's (starts_at, ends_at): sessions must lie inside it.
    """
    table = SERVICE_INPUTS[service]
    stored = {key: value for key, value in (current or {}).items() if key in table.fields}
    return table.validate({**stored, **payload}, context=event_window)


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
