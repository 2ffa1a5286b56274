"""Who may do what: system roles, event roles and the service permission matrix."""

from typing import Any

from chalicelib.domain.errors import ValidationError

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
ORDER_READERS = frozenset({ORGANIZER, COORGANIZER})
ORDER_MANAGERS = frozenset({ORGANIZER})

# What each fixed rule guards, by the name the event's ``allowed`` field gives it. The routes
# guard with these same sets, so what ``allowed`` says is what the routes let through.
FIXED_RULES: dict[str, dict[str, frozenset[str]]] = {
    "event": {"read": EVENT_READERS, "update": EVENT_EDITORS, "delete": EVENT_OWNERS},
    "tickets": {"read": EVENT_READERS, "write": EVENT_EDITORS},
    "team": {"manage": EVENT_OWNERS},
    "orders": {"read": ORDER_READERS, "manage": ORDER_MANAGERS},
    "activity": {"read": EVENT_OWNERS},
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
    for service in SERVICES:
        allowed[service] = {op: is_staff or allows(matrix, role, service, op) for op in OPERATIONS}
    return allowed


def allowed_fingerprint(allowed: Allowed) -> int:
    """One number per distinct ``allowed``: it goes into the event's ETag beside the event's version."""
    cells = [granted for area in allowed.values() for granted in area.values()]
    return sum(1 << position for position, granted in enumerate(cells) if granted)


def validate_matrix(payload: Any) -> Matrix:
    """A complete matrix: every role x service x operation given as a boolean."""
    if not isinstance(payload, dict) or not isinstance(payload.get("matrix"), dict):
        raise ValidationError({"matrix": 'Send {"matrix": {role: {service: {operation: bool}}}}.'})
    given = payload["matrix"]
    errors: dict[str, str] = {}
    for role in given:
        if role not in EVENT_ROLES:
            errors[f"matrix.{role}"] = f"Unknown role; use one of {', '.join(EVENT_ROLES)}."
    matrix: Matrix = {}
    for role in EVENT_ROLES:
        row = given.get(role)
        if not isinstance(row, dict):
            errors[f"matrix.{role}"] = "Missing; give every role."
            continue
        for service in row:
            if service not in SERVICES:
                errors[f"matrix.{role}.{service}"] = f"Unknown service; use one of {', '.join(SERVICES)}."
        matrix[role] = {}
        for service in SERVICES:
            cell = row.get(service)
            if not isinstance(cell, dict):
                errors[f"matrix.{role}.{service}"] = "Missing; give every service."
                continue
            for operation in cell:
                if operation not in OPERATIONS:
                    errors[f"matrix.{role}.{service}.{operation}"] = (
                        f"Unknown operation; use one of {', '.join(OPERATIONS)}."
                    )
            matrix[role][service] = {}
            for operation in OPERATIONS:
                value = cell.get(operation)
                if not isinstance(value, bool):
                    errors[f"matrix.{role}.{service}.{operation}"] = "Give true or false."
                    continue
                matrix[role][service][operation] = value
    if errors:
        raise ValidationError(errors)
    return matrix


SYSTEM_FLAGS = ("is_admin", "is_super_admin")


def validate_system_roles(payload: dict[str, Any]) -> dict[str, bool]:
    """The platform flags a super admin sets on a user: ``is_admin`` and / or ``is_super_admin``."""
    errors = {key: "Unknown field." for key in payload if key not in SYSTEM_FLAGS}
    changes: dict[str, bool] = {}
    for flag in SYSTEM_FLAGS:
        if flag in payload:
            if isinstance(payload[flag], bool):
                changes[flag] = payload[flag]
            else:
                errors[flag] = "Give true or false."
    if not changes and not errors:
        errors["is_admin"] = "Give is_admin and / or is_super_admin."
    if errors:
        raise ValidationError(errors)
    return changes
