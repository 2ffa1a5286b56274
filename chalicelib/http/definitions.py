"""Definitions of what only the HTTP layer knows: query options, the audit log, the background
image routes, CSV, SVG and the OpenAPI document itself. Every resource's own definitions sit in its
domain module (chalicelib.domain.events, .tickets, .services, ...)."""

from chalicelib.domain.fields import Const, Field, Flag, Integer, Schemaless, Text
from chalicelib.domain.objects import Object, sent
from chalicelib.domain.orders import MAX_IDEMPOTENCY_KEY

PAGE_QUERY: dict[str, Field] = {
    "limit": Integer(1, 100, description="Page size"),
    "cursor": Text(description="X-Next-Cursor of the previous page"),
}
FLAG = Text(description="true, 1 or yes turn it on; anything else leaves it off")
IDEMPOTENCY_KEY = Text(
    MAX_IDEMPOTENCY_KEY,
    min_len=1,
    pattern="^[\\x21-\\x7e]+$",
    description="The same key returns the same order and never buys twice",
)
CSV = Schemaless({"type": "string", "contentMediaType": "text/csv"})
SVG = Schemaless({"type": "string", "contentMediaType": "image/svg+xml"})
ICALENDAR = Schemaless({"type": "string", "contentMediaType": "text/calendar"})
PENTABARF_XML = Schemaless({"type": "string", "contentMediaType": "application/xml"})
OPENAPI = Schemaless(
    {
        "type": "object",
        "required": ["openapi", "info", "paths"],
        "properties": {"openapi": {"type": "string", "pattern": r"^3\.1\."}},
    }
)

_ID = Text(min_len=1)
_MAYBE_TEXT = Text(nullable=True, null_value=None)
_INSTANT = Text(fmt="date-time", description="ISO 8601 with offset")
_COUNT = Integer(minimum=0)

NOTIFICATION = sent(
    "Notification",
    {
        "id": _ID,
        "title": Text(),
        "message": Text(description="Plain text (show it as text, never as markup)"),
        "action": _MAYBE_TEXT,
        "received_at": _INSTANT,
        "has_read": Flag(),
        "link": Text(
            nullable=True,
            null_value=None,
            description="The app's page it is about, a hash route such as /events/{id}/orders (or null)",
        ),
    },
)
UNREAD_COUNT = sent("UnreadCount", {"count": _COUNT})
MARKED_READ = sent("MarkedRead", {"marked": _COUNT, "count": _COUNT})
ACTIVITY = sent(
    "Activity",
    {
        "id": _ID,
        "at": _INSTANT,
        "action": Text(),
        "actor": Schemaless({"type": ["object", "null"]}),
        "event_id": _MAYBE_TEXT,
        "target": Schemaless(),
        "before": Schemaless(),
        "after": Schemaless(),
    },
)

_CROP_SIDES = ("x", "y", "width", "height")
# The media pipeline checks the image (400 no_image, 413, 415, 422): the body is handed to it as sent.
BACKGROUND_REQUEST = Object(
    {
        "image": Schemaless({"type": "string", "description": "data:image/...;base64,..."}),
        "key": Schemaless({"type": "string", "description": "The key of an upload URL, once uploaded"}),
        "crop": Schemaless(
            {
                "type": "object",
                "required": list(_CROP_SIDES),
                "properties": {name: {"type": "number", "minimum": 0} for name in _CROP_SIDES},
            }
        ),
    },
    additional=True,
    schema_extra={"anyOf": [{"required": ["image"]}, {"required": ["key"]}]},
    examples=[
        {"image": "data:image/png;base64,iVBORw0KGgo=", "crop": {"x": 0, "y": 0, "width": 2, "height": 1}}
    ],
)
BACKGROUND = sent(
    "Background",
    {
        "status": Const("ok"),
        "background_url": _MAYBE_TEXT,
        "background_variants": Schemaless({"type": ["object", "null"]}),
    },
    optional=("background_url", "background_variants"),
)
UPLOAD_URL = sent(
    "UploadUrl",
    {
        "url": Text(),
        "fields": Schemaless({"type": "object", "additionalProperties": {"type": "string"}}),
        "key": _ID,
    },
)
