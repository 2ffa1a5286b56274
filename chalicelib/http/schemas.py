"""JSON Schemas of what the API sends and of the request bodies routes declare (``response_schema=``,
``request_schema=``, ``query=`` on ApiBlueprint.route). The served OpenAPI document is built from them
and the schema fuzzer holds every response to them. A schema with a ``title`` becomes a named
component of the document. Objects allow more properties than listed: API.md lets fields be added.

Request schemas describe what the domain validators accept; the validators stay the one place
where a body is checked (the schemas only guide clients and the fuzzer)."""

from typing import Any

from chalicelib.domain import events as event_rules
from chalicelib.domain import orders as order_rules
from chalicelib.domain import services as service_rules
from chalicelib.domain import tickets as ticket_rules
from chalicelib.domain import verification as verification_rules
from chalicelib.domain.permissions import EVENT_ROLES, FIXED_RULES, OPERATIONS, SERVICES
from chalicelib.domain.users import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH

Schema = dict[str, Any]

ID: Schema = {"type": "string", "minLength": 1}
TEXT: Schema = {"type": "string"}
INSTANT: Schema = {"type": "string", "format": "date-time", "description": "ISO 8601 with offset"}
MAYBE_INSTANT: Schema = {"type": ["string", "null"], "format": "date-time"}
# A time a client sends (event_rules.parse_instant).
INSTANT_IN: Schema = {
    "type": "string",
    "format": "date-time",
    "description": f"ISO 8601 with a UTC offset in whole minutes within ±14:00, in the years "
    f"{event_rules.FIRST_YEAR} to {event_rules.LAST_YEAR}",
}
MAYBE_INSTANT_IN: Schema = {**INSTANT_IN, "type": ["string", "null"]}
MAYBE_TEXT: Schema = {"type": ["string", "null"]}
MONEY: Schema = {"type": "string", "pattern": r"^[0-9]+\.[0-9]{2}$", "description": 'Decimal string, "12.50"'}
# Money a client sends (ticket_rules.parse_price): a string, never a JSON number; null leaves it out.
MONEY_IN: Schema = {
    "type": ["string", "null"],
    "pattern": ticket_rules.MONEY_PATTERN,
    "description": f'Decimal string such as "12.50": at most 2 decimals, below {ticket_rules.MAX_PRICE}',
}
COUNT: Schema = {"type": "integer", "minimum": 0}
ROLE_NAME: Schema = {"enum": list(EVENT_ROLES)}


def _object(title: str | None, properties: dict[str, Schema], optional: tuple[str, ...] = ()) -> Schema:
    """An object whose listed properties are all present except ``optional`` ones."""
    schema: Schema = {
        "type": "object",
        "required": [name for name in properties if name not in optional],
        "properties": properties,
    }
    return {"title": title, **schema} if title else schema


def list_of(item: Schema) -> Schema:
    return {"type": "array", "items": item}


# -- query options ---------------------------------------------------------------------------------

PAGE_QUERY: dict[str, Schema] = {
    "limit": {"type": "integer", "minimum": 1, "maximum": 100, "description": "Page size"},
    "cursor": {"type": "string", "description": "X-Next-Cursor of the previous page"},
}
FLAG: Schema = {"type": "string", "description": "true, 1 or yes turn it on; anything else leaves it off"}

# -- users and auth ---------------------------------------------------------------------------------

_USER_FIELDS: dict[str, Schema] = {
    "id": ID,
    "email": {"type": "string", "format": "email"},
    "name": TEXT,
    "is_admin": {"type": "boolean"},
    "is_super_admin": {"type": "boolean"},
    "email_verified": {"type": "boolean"},
}
USER = _object("User", _USER_FIELDS)
ME = _object("Me", {**_USER_FIELDS, "unread_notifications": COUNT})
ADMIN_USER = _object("AdminUser", {**_USER_FIELDS, "created_at": INSTANT})
SIGNED_IN = _object("SignedIn", {"token": ID, "user": USER})

_PASSWORD: Schema = {"type": "string", "minLength": MIN_PASSWORD_LENGTH, "maxLength": MAX_PASSWORD_LENGTH}
SIGNUP_REQUEST = _object(
    None,
    {
        "email": {"type": "string", "format": "email", "maxLength": 254},
        "password": _PASSWORD,
        "name": {"type": "string", "minLength": 1},
        "invite_token": {"type": ["string", "null"], "description": "From an invite's signup link"},
    },
    optional=("invite_token",),
)
LOGIN_REQUEST = _object(None, {"email": {"type": "string"}, "password": {"type": "string"}})
PASSWORD_REQUEST = _object(None, {"current_password": {"type": "string"}, "new_password": _PASSWORD})
VERIFICATION_SENT = _object(
    "VerificationSent", {"email": {"type": "string", "format": "email"}, "email_sent": {"type": "boolean"}}
)
VERIFY_EMAIL_CONFIRM_REQUEST = _object(
    None,
    {
        "token": {
            "type": "string",
            "minLength": 1,
            "maxLength": verification_rules.MAX_TOKEN_LENGTH,
            "description": "From the verification e-mail's link",
        }
    },
)
EMAIL_VERIFIED = _object(
    "EmailVerified", {"email": {"type": "string", "format": "email"}, "email_verified": {"const": True}}
)

# -- events ----------------------------------------------------------------------------------------

_EVENT_FIELDS: dict[str, Schema] = {
    "id": ID,
    "name": TEXT,
    "description": TEXT,
    "location_name": TEXT,
    "starts_at": INSTANT,
    "ends_at": INSTANT,
    "timezone": TEXT,
    "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
    "state": {"enum": list(event_rules.STATES)},
    "background_url": MAYBE_TEXT,
    "background_variants": {"type": ["object", "null"]},
    "created_by": ID,
    "created_at": INSTANT,
}
EVENT = _object("Event", _EVENT_FIELDS)
MY_EVENT = _object("MyEvent", {**_EVENT_FIELDS, "role": ROLE_NAME})
_GRANTS: dict[str, tuple[str, ...]] = {
    **{area: tuple(rules) for area, rules in FIXED_RULES.items()},
    **dict.fromkeys(SERVICES, OPERATIONS),
}
ALLOWED = {
    **_object(
        "Allowed",
        {area: _object(None, {op: {"type": "boolean"} for op in ops}) for area, ops in _GRANTS.items()},
    ),
    "description": "What the caller may do in this event: {area: {operation: bool}}",
}
MEMBER_EVENT = _object("MemberEvent", {**_EVENT_FIELDS, "allowed": ALLOWED})
VERSIONS = _object(
    "Versions",
    {
        name: COUNT
        for name in (
            "event_ver",
            "tickets_ver",
            "tracks_ver",
            "sessions_ver",
            "speakers_ver",
            "sponsors_ver",
            "microlocations_ver",
        )
    },
)
_EVENT_EDITABLE: dict[str, Schema] = {
    "name": {"type": "string", "minLength": 1, "maxLength": event_rules.MAX_NAME},
    "description": {"type": ["string", "null"], "maxLength": event_rules.MAX_DESCRIPTION},
    "location_name": {"type": ["string", "null"], "maxLength": event_rules.MAX_LOCATION},
    "starts_at": INSTANT_IN,
    "ends_at": INSTANT_IN,
    "timezone": {"type": "string", "description": "IANA time zone, e.g. Europe/Berlin"},
    "currency": {"type": "string", "pattern": "^[A-Za-z]{3}$", "description": "ISO 4217"},
    "state": {"enum": list(event_rules.STATES)},
}
_EVENT_EXAMPLE = {
    "name": "PyCon",
    "starts_at": "2027-05-01T09:00:00+02:00",
    "ends_at": "2027-05-03T18:00:00+02:00",
    "timezone": "Europe/Berlin",
    "currency": "EUR",
}
EVENT_CREATE_REQUEST = {
    **_object(
        None,
        _EVENT_EDITABLE,
        optional=("description", "location_name", "currency", "state"),
    ),
    "additionalProperties": False,
    "examples": [_EVENT_EXAMPLE],
}
EVENT_UPDATE_REQUEST = {
    "type": "object",
    "properties": _EVENT_EDITABLE,
    "additionalProperties": False,
    "examples": [{"state": "published"}, {"name": "PyCon 2027"}],
}

# -- tickets ---------------------------------------------------------------------------------------

_PUBLIC_TICKET_FIELDS: dict[str, Schema] = {
    "id": ID,
    "name": TEXT,
    "type": {"enum": list(ticket_rules.TICKET_TYPES)},
    "price": MONEY,
    "description": TEXT,
    "sales_starts_at": MAYBE_INSTANT,
    "sales_ends_at": MAYBE_INSTANT,
    "min_order": {"type": "integer", "minimum": 1},
    "max_order": {"type": "integer", "minimum": 1},
    "available": COUNT,
}
TICKET = _object(
    "Ticket",
    {
        **_PUBLIC_TICKET_FIELDS,
        "quantity": {"type": "integer", "minimum": 1},
        "hidden": {"type": "boolean"},
        "position": COUNT,
        "sold": COUNT,
    },
)
PUBLIC_TICKET = _object(
    "PublicTicket",
    {**_PUBLIC_TICKET_FIELDS, "currency": _EVENT_FIELDS["currency"], "sales_open": {"type": "boolean"}},
)
# Who created an event is not public.
_PUBLIC_EVENT_FIELDS = {name: schema for name, schema in _EVENT_FIELDS.items() if name != "created_by"}
PUBLIC_EVENT_SUMMARY = _object("PublicEventSummary", _PUBLIC_EVENT_FIELDS)
PUBLIC_EVENT = _object("PublicEvent", {**_PUBLIC_EVENT_FIELDS, "tickets": list_of(PUBLIC_TICKET)})

# -- services: tracks, sessions, speakers, sponsors, microlocations ---------------------------------

_NAME: Schema = {"type": "string", "minLength": 1, "maxLength": service_rules.MAX_NAME}
_LONG_TEXT: Schema = {"type": ["string", "null"], "maxLength": service_rules.MAX_LONG_TEXT}
_CLEARED: Schema = {"enum": ["", None]}


def _short_text(limit: int) -> Schema:
    """Free text: null or absent is stored as ""."""
    return {"type": ["string", "null"], "maxLength": limit}


def _optional(value: Schema) -> Schema:
    """An optional value: "" or null clears it (it is sent back as null)."""
    return {"anyOf": [value, _CLEARED]}


def _number(low: int, high: int, kind: str = "number") -> Schema:
    return _optional({"type": kind, "minimum": low, "maximum": high})


_URL = _optional({"type": "string", "pattern": service_rules.URL_PATTERN, "maxLength": service_rules.MAX_URL})
_REFERENCE = _optional({"type": "string", "maxLength": service_rules.MAX_ID, "description": "id of an item"})
# What each service's create and update accept (validate_service in chalicelib.domain.services).
SERVICE_FIELDS: dict[str, dict[str, Schema]] = {
    "track": {
        "name": _NAME,
        "description": _LONG_TEXT,
        "color": _optional({"type": "string", "pattern": "^#[0-9a-fA-F]{6}$"}),
        "location": _short_text(300),
    },
    "session": {
        "title": {"type": "string", "minLength": 1, "maxLength": 200},
        "subtitle": _short_text(200),
        "abstract": _LONG_TEXT,
        "starts_at": INSTANT_IN,
        "ends_at": INSTANT_IN,
        "track_id": _REFERENCE,
        "microlocation_id": _REFERENCE,
        "speaker_ids": {
            "type": ["array", "null"],
            "maxItems": service_rules.MAX_SPEAKERS_PER_SESSION,
            "items": {"type": "string", "minLength": 1, "maxLength": service_rules.MAX_ID},
        },
        "state": {"enum": list(service_rules.SESSION_STATES)},
    },
    "speaker": {
        "name": _NAME,
        "email": _optional({"type": "string", "format": "email"}),
        "bio": _LONG_TEXT,
        "organisation": _short_text(200),
        "photo_url": _URL,
    },
    "sponsor": {"name": _NAME, "url": _URL, "logo_url": _URL, "level": _short_text(100)},
    "microlocation": {
        "name": _NAME,
        "floor": _number(-1000, 1000, "integer"),
        "room": _short_text(100),
        "latitude": _number(-90, 90),
        "longitude": _number(-180, 180),
    },
}
_SERVICE_REQUIRED = {"track": ("name",), "session": ("title", "starts_at", "ends_at")}
_SERVICE_EXAMPLES: dict[str, Schema] = {
    "track": {"name": "Main track", "color": "#336699"},
    "session": {
        "title": "Keynote",
        "starts_at": "2027-05-01T10:00:00+02:00",
        "ends_at": "2027-05-01T11:00:00+02:00",
    },
    "speaker": {"name": "Ada Lovelace", "email": "ada@example.com"},
    "sponsor": {"name": "ACME", "url": "https://example.com"},
    "microlocation": {"name": "Room 1", "floor": 1},
}


def _stored(value: Schema) -> Schema:
    """What an accepted field is sent back as: free text is never null (it becomes ""), a
    cleared optional value is null, a missing list is []."""
    if "anyOf" in value:
        return {"anyOf": [value["anyOf"][0], {"type": "null"}]}
    if value.get("type") == ["string", "null"]:
        return TEXT
    if value.get("type") == ["array", "null"]:
        return {**value, "type": "array"}
    return value


def service_create_request(service: str) -> Schema:
    fields = SERVICE_FIELDS[service]
    required = _SERVICE_REQUIRED.get(service, ("name",))
    return {
        "type": "object",
        "required": list(required),
        "properties": fields,
        "additionalProperties": False,
        "examples": [_SERVICE_EXAMPLES[service]],
    }


def service_update_request(service: str) -> Schema:
    return {"type": "object", "properties": SERVICE_FIELDS[service], "additionalProperties": False}


def service_item(service: str) -> Schema:
    fields = {name: _stored(value) for name, value in SERVICE_FIELDS[service].items()}
    properties = {"id": ID, **fields, "created_at": INSTANT, "updated_at": MAYBE_INSTANT}
    if service == "track":
        properties["sessions"] = list_of(_object(None, {"id": ID, "title": TEXT}))
    return _object(service.capitalize(), properties)


# -- roles, invites, permissions ---------------------------------------------------------------------

ROLE = _object(
    "Role",
    {"user": _object(None, {"id": ID, "email": MAYBE_TEXT, "name": MAYBE_TEXT}), "role": ROLE_NAME},
)
_INVITE_STATUS: Schema = {"enum": ["pending", "accepted", "declined", "expired"]}
INVITE = _object(
    "Invite",
    {
        "id": ID,
        "email": TEXT,
        "role": ROLE_NAME,
        "status": _INVITE_STATUS,
        "created_at": INSTANT,
        "expires_at": INSTANT,
    },
)
SENT_INVITE = _object("SentInvite", {**INVITE["properties"], "email_sent": {"type": "boolean"}})
_EVENT_SUMMARY = _object(None, {"id": ID, "name": TEXT})
MY_INVITE = _object(
    "MyInvite",
    {
        "id": ID,
        "token": {
            "type": ["string", "null"],
            "minLength": 1,
            "description": "null until my address is verified (the invite e-mail's link carries it)",
        },
        "role": ROLE_NAME,
        "status": _INVITE_STATUS,
        "expires_at": INSTANT,
        "event": _EVENT_SUMMARY,
    },
)
ACCEPTED_INVITE = _object(
    "AcceptedInvite", {"event": _EVENT_SUMMARY, "role": ROLE_NAME, "status": {"const": "accepted"}}
)
DECLINED_INVITE = _object("DeclinedInvite", {"id": ID, "role": ROLE_NAME, "status": {"const": "declined"}})
_CELL = _object(None, {op: {"type": "boolean"} for op in ("create", "read", "update", "delete")})
PERMISSIONS = _object(
    "Permissions",
    {
        "roles": list_of(TEXT),
        "services": list_of(TEXT),
        "operations": list_of(TEXT),
        "matrix": {
            "type": "object",
            "additionalProperties": {"type": "object", "additionalProperties": _CELL},
        },
    },
)

# -- notifications and the audit log ---------------------------------------------------------------

NOTIFICATION = _object(
    "Notification",
    {
        "id": ID,
        "title": TEXT,
        "message": {"type": "string", "description": "Plain text (show it as text, never as markup)"},
        "action": MAYBE_TEXT,
        "received_at": INSTANT,
        "has_read": {"type": "boolean"},
    },
)
UNREAD_COUNT = _object("UnreadCount", {"count": COUNT})
MARKED_READ = _object("MarkedRead", {"marked": COUNT, "count": COUNT})
ACTIVITY = _object(
    "Activity",
    {
        "id": ID,
        "at": INSTANT,
        "action": TEXT,
        "actor": {"type": ["object", "null"]},
        "event_id": MAYBE_TEXT,
        "target": {},
        "before": {},
        "after": {},
    },
)

# -- orders ----------------------------------------------------------------------------------------

_ORDER_LINE = _object(
    None,
    {
        "ticket_id": ID,
        "name": TEXT,
        "type": {"enum": list(ticket_rules.TICKET_TYPES)},
        "quantity": {"type": "integer", "minimum": 1},
        "unit_price": MONEY,
        "subtotal": MONEY,
    },
)
ORDER = _object(
    "Order",
    {
        "id": ID,
        "event_id": ID,
        "event_name": TEXT,
        "status": {"enum": list(order_rules.STATUSES)},
        "items": list_of(_ORDER_LINE),
        "total": MONEY,
        "currency": TEXT,
        "created_at": INSTANT,
        "expires_at": MAYBE_INSTANT,
        "paid_at": MAYBE_INSTANT,
        "closed_at": MAYBE_INSTANT,
        "payment": _object(
            None,
            {"provider": TEXT, "reference": MAYBE_TEXT, "instructions": TEXT},
            optional=("instructions",),
        ),
        "buyer": _object(None, {"id": ID, "name": MAYBE_TEXT, "email": MAYBE_TEXT}),
    },
    optional=("buyer",),
)
ORDER_STATUS_QUERY: Schema = {"enum": list(order_rules.STATUSES)}
IDEMPOTENCY_KEY: Schema = {
    "type": "string",
    "minLength": 1,
    "maxLength": order_rules.MAX_IDEMPOTENCY_KEY,
    "pattern": "^[\\x21-\\x7e]+$",
    "description": "The same key returns the same order and never buys twice",
}

CSV: Schema = {"type": "string", "contentMediaType": "text/csv"}
OPENAPI: Schema = {
    "type": "object",
    "required": ["openapi", "info", "paths"],
    "properties": {"openapi": {"type": "string", "pattern": r"^3\.1\."}},
}

# -- the background image --------------------------------------------------------------------------

_CROP = _object(None, {name: {"type": "number", "minimum": 0} for name in ("x", "y", "width", "height")})
BACKGROUND_REQUEST: Schema = {
    "type": "object",
    "properties": {
        "image": {"type": "string", "description": "data:image/...;base64,..."},
        "key": {"type": "string", "description": "The key of an upload URL, once uploaded"},
        "crop": _CROP,
    },
    "anyOf": [{"required": ["image"]}, {"required": ["key"]}],
    "examples": [
        {"image": "data:image/png;base64,iVBORw0KGgo=", "crop": {"x": 0, "y": 0, "width": 2, "height": 1}}
    ],
}
BACKGROUND = _object(
    "Background",
    {
        "status": {"const": "ok"},
        "background_url": MAYBE_TEXT,
        "background_variants": {"type": ["object", "null"]},
    },
    optional=("background_url", "background_variants"),
)
UPLOAD_URL = _object(
    "UploadUrl",
    {"url": TEXT, "fields": {"type": "object", "additionalProperties": TEXT}, "key": ID},
)
