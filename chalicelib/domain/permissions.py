"""Who may do what: system roles, event roles and the service permission matrix."""

from typing import Any

from chalicelib.domain.fields import Choice, Flag, Schemaless, Text
from chalicelib.domain.objects import ListOf, Object, sent

ORGANIZER = "organizer"
COORGANIZER = "coorganizer"
TRACK_ORGANIZER = "track_organizer"
MODERATOR = "moderator"
EVENT_ROLES = (ORGANIZER, COORGANIZER, TRACK_ORGANIZER, MODERATOR)
SERVICES = ("track", "session", "speaker", "sponsor", "microlocation")
OPERATIONS = ("create", "read", "update", "delete")

# The event itself and its tickets (fixed rules; the matrix governs services only).
EVENT_READERS = frozenset(EVENT_ROLES)
EVENT_EDITORS = frozenset({ORGANIZER, COORGANIZER})
EVENT_OWNERS = frozenset({ORGANIZER})

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
}


def allows(matrix: Matrix, role: str | None, service: str, operation: str) -> bool:
    if role is None:
        return False
    return bool(matrix.get(role, {}).get(service, {}).get(operation, False))


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
