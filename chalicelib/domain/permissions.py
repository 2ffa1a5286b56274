"""Who may do what: system roles, event roles and the service permission matrix."""

from typing import Any

from chalicelib.domain.fields import Choice, Flag, Schemaless, Text
from chalicelib.domain.objects import ListOf, Object, sent

ORGANIZER = "organizer"
COORGANIZER = "coorganizer"
TRACK_ORGANIZER = "track_organizer"
MODERATOR = "moderator"
# Door staff: the check-in list and scanning (the matrix's ``attendee`` service), nothing else.
CHECKIN = "checkin"
EVENT_ROLES = (ORGANIZER, COORGANIZER, TRACK_ORGANIZER, MODERATOR, CHECKIN)
# ``attendee``: read = the check-in list and its counts, update = scanning (create and delete are
# cells like any other service's, so the matrix keeps one shape; no route uses them).
ATTENDEE = "attendee"
SERVICES = ("track", "session", "speaker", "sponsor", "microlocation", ATTENDEE)
OPERATIONS = ("create", "read", "update", "delete")
# What the event's ``allowed`` lists per service: the operations some route guards.
GUARDED_OPERATIONS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(SERVICES, OPERATIONS),
    ATTENDEE: ("read", "update"),
}

# The event itself and its tickets (fixed rules; the matrix governs services only). Door staff
# read the event (its name, dates and what they may do) but not its ticket table.
EVENT_READERS = frozenset(EVENT_ROLES)
TICKET_READERS = EVENT_READERS - {CHECKIN}
EVENT_EDITORS = frozenset({ORGANIZER, COORGANIZER})
EVENT_OWNERS = frozenset({ORGANIZER})
ORDER_READERS = frozenset({ORGANIZER, COORGANIZER})
ORDER_MANAGERS = frozenset({ORGANIZER})

# What each fixed rule guards, by the name the event's ``allowed`` field gives it. The routes
# guard with these same sets, so what ``allowed`` says is what the routes let through.
FIXED_RULES: dict[str, dict[str, frozenset[str]]] = {
    "event": {"read": EVENT_READERS, "update": EVENT_EDITORS, "delete": EVENT_OWNERS},
    "tickets": {"read": TICKET_READERS, "write": EVENT_EDITORS},
    "team": {"manage": EVENT_OWNERS},
    "orders": {"read": ORDER_READERS, "manage": ORDER_MANAGERS},
    "codes": {"manage": EVENT_EDITORS},
    "activity": {"read": EVENT_OWNERS},
    "messages": {"send": EVENT_OWNERS},
}

Matrix = dict[str, dict[str, dict[str, bool]]]


def _grant(operations: set[str], services: tuple[str, ...] = SERVICES) -> dict[str, dict[str, bool]]:
    return {
        service: {op: service in services and op in operations for op in OPERATIONS} for service in SERVICES
    }


DEFAULT_MATRIX: Matrix = {
    ORGANIZER: _grant(set(OPERATIONS)),
    COORGANIZER: _grant({"read", "update"}),
    TRACK_ORGANIZER: _grant({"read", "update"}, ("track",)),
    MODERATOR: _grant({"read"}, ("track",)),
    CHECKIN: _grant({"read", "update"}, (ATTENDEE,)),
}


def complete_matrix(stored: Matrix) -> Matrix:
    """A stored matrix with every role x service x operation: a cell it lacks (a matrix saved
    before a role or service existed) reads as the default's."""
    return {
        role: {
            service: {
                op: bool(stored.get(role, {}).get(service, {}).get(op, DEFAULT_MATRIX[role][service][op]))
                for op in OPERATIONS
            }
            for service in SERVICES
        }
        for role in EVENT_ROLES
    }


def allows(matrix: Matrix, role: str | None, service: str, operation: str) -> bool:
    if role is None:
        return False
    return bool(matrix.get(role, {}).get(service, {}).get(operation, False))


Allowed = dict[str, dict[str, bool]]


def allowed_operations(matrix: Matrix, role: str | None, is_staff: bool) -> Allowed:
    """Everything the caller may do in an event, fixed rules and matrix together (staff: all of it)."""
    allowed: Allowed = {
        area: {op: is_staff or role in roles for op, roles in rules.items()}
        for area, rules in FIXED_RULES.items()
    }
    for service, operations in GUARDED_OPERATIONS.items():
        allowed[service] = {op: is_staff or allows(matrix, role, service, op) for op in operations}
    return allowed


def allowed_fingerprint(allowed: Allowed) -> int:
    """One number per distinct ``allowed``: it goes into the event's ETag beside the event's version."""
    cells = [granted for area in allowed.values() for granted in area.values()]
    return sum(1 << position for position, granted in enumerate(cells) if granted)


# What GET /events/{id} says the caller may do: {area: {operation: bool}}.
ALLOWED = Object(
    {
        area: sent(None, {operation: Flag() for operation in operations})
        for area, operations in {
            **{area: tuple(rules) for area, rules in FIXED_RULES.items()},
            **GUARDED_OPERATIONS,
        }.items()
    },
    title="Allowed",
    additional=True,
    description="What the caller may do in this event: {area: {operation: bool}}",
)


def _cells() -> Object:
    cell = Object(
        {operation: Flag() for operation in OPERATIONS},
        required=OPERATIONS,
        message="Missing; give every service.",
        unknown=lambda key: f"Unknown operation; use one of {', '.join(OPERATIONS)}.",
    )
    row = Object(
        {service: cell for service in SERVICES},
        required=SERVICES,
        message="Missing; give every role.",
        unknown=lambda key: f"Unknown service; use one of {', '.join(SERVICES)}.",
    )
    return Object(
        {role: row for role in EVENT_ROLES},
        required=EVENT_ROLES,
        message='Send {"matrix": {role: {service: {operation: bool}}}}.',
        unknown=lambda key: f"Unknown role; use one of {', '.join(EVENT_ROLES)}.",
        description="{role: {service: {create, read, update, delete}}}, every cell a boolean",
    )


# A complete matrix: every role x service x operation given as a boolean.
MATRIX_REQUEST = Object({"matrix": _cells()}, required=("matrix",), additional=True)
PERMISSIONS = sent(
    "Permissions",
    {
        "roles": ListOf(Text()),
        "services": ListOf(Text()),
        "operations": ListOf(Text()),
        "matrix": Schemaless(
            {
                "type": "object",
                "additionalProperties": {
                    "type": "object",
                    "additionalProperties": sent(None, {op: Flag() for op in OPERATIONS}).schema(),
                },
            }
        ),
    },
)
ROLE = sent(
    "Role",
    {
        "user": sent(
            None,
            {
                "id": Text(min_len=1),
                "email": Text(nullable=True, null_value=None),
                "name": Text(nullable=True, null_value=None),
            },
        ),
        "role": Choice(EVENT_ROLES),
    },
)


def validate_matrix(payload: Any) -> Matrix:
    return MATRIX_REQUEST.validate(payload if isinstance(payload, dict) else {})["matrix"]


SYSTEM_FLAGS = ("is_admin", "is_super_admin")


SYSTEM_ROLES = Object({flag: Flag() for flag in SYSTEM_FLAGS}, empty="Give is_admin and / or is_super_admin.")


def validate_system_roles(payload: dict[str, Any]) -> dict[str, bool]:
    """The platform flags a super admin sets on a user: ``is_admin`` and / or ``is_super_admin``."""
    return SYSTEM_ROLES.validate(payload)
