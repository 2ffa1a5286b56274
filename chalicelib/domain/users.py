"""Rules for accounts: what a valid signup is, how e-mails compare, how passwords are hashed."""

import re
from typing import Any

from chalicelib.domain.errors import ValidationError
from chalicelib.domain.fields import Field, Flag, Integer, Parsed, Schemaless, Text
from chalicelib.domain.objects import Object, sent

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256


def normalize_email(email: str) -> str:
    return email.strip().lower()


def validate_email(value: Any, field: str = "email") -> dict[str, str]:
    if not isinstance(value, str) or not value.strip():
        return {field: "An e-mail address is required."}
    if len(value) > 254 or not _EMAIL.match(value.strip()):
        return {field: "This is not a valid e-mail address."}
    return {}


def validate_signup(payload: dict[str, Any]) -> tuple[str, str, str]:
    """Return (normalized email, password, name) or raise ValidationError."""
    errors = validate_email(payload.get("email"))
    errors.update(validate_password(payload.get("password")))
    errors.update(validate_name(payload.get("name")))
    if errors:
        raise ValidationError(errors)
    return normalize_email(payload["email"]), payload["password"], payload["name"].strip()


def validate_password(value: Any, field: str = "password") -> dict[str, str]:
    if not isinstance(value, str) or len(value) < MIN_PASSWORD_LENGTH:
        return {field: f"Use at least {MIN_PASSWORD_LENGTH} characters."}
    if len(value) > MAX_PASSWORD_LENGTH:
        return {field: f"Use at most {MAX_PASSWORD_LENGTH} characters."}
    return {}


def validate_name(value: Any) -> dict[str, str]:
    if not isinstance(value, str) or not value.strip():
        return {"name": "A name is required."}
    if len(value.strip()) > 100:
        return {"name": "Use at most 100 characters."}
    return {}


def _email(value: Any) -> str:
    problem = validate_email(value).get("email")
    if problem:
        raise ValueError(problem)
    return normalize_email(value)


def _password(value: Any) -> str:
    problem = validate_password(value).get("password")
    if problem:
        raise ValueError(problem)
    return value


def email_field(max_len: int | None = None, **options: Any) -> Parsed:
    """An e-mail address a client sends, stored normalized (chalicelib.domain.users)."""
    limit = {"maxLength": max_len} if max_len else {}
    return Parsed(_email, {"type": "string", "format": "email", **limit}, **options)


PASSWORD = Parsed(
    _password, {"type": "string", "minLength": MIN_PASSWORD_LENGTH, "maxLength": MAX_PASSWORD_LENGTH}
)
# The store checks these again as it creates the account (validate_signup): the same rules.
SIGNUP = Object(
    {
        "email": email_field(254),
        "password": PASSWORD,
        "name": Text(100, required="A name is required.", message="A name is required."),
        "invite_token": Schemaless(
            {"type": ["string", "null"], "description": "From an invite's signup link"}
        ),
    },
    required=("email", "password", "name"),
    additional=True,
)
# Wrong types are wrong credentials (401), never a validation error that tells them apart.
LOGIN = Object(
    {"email": Schemaless({"type": "string"}), "password": Schemaless({"type": "string"})},
    required=("email", "password"),
    additional=True,
)
PASSWORD_CHANGE = Object(
    {"current_password": Schemaless({"type": "string"}), "new_password": PASSWORD},
    required=("current_password", "new_password"),
    additional=True,
)

_EMAIL_OUT = Text(fmt="email")
_USER_FIELDS: dict[str, Field] = {
    "id": Text(min_len=1, source="user_id"),
    "email": _EMAIL_OUT,
    "name": Text(),
    "is_admin": Flag(source=lambda user: bool(user.is_admin)),
    "is_super_admin": Flag(source=lambda user: bool(user.is_super_admin)),
    "email_verified": Flag(source=lambda user: bool(user.email_verified)),
}
USER = sent("User", _USER_FIELDS)
ME = sent("Me", {**_USER_FIELDS, "unread_notifications": Integer(minimum=0)})
ADMIN_USER = sent(
    "AdminUser", {**_USER_FIELDS, "created_at": Text(fmt="date-time", description="ISO 8601 with offset")}
)
SIGNED_IN = sent("SignedIn", {"token": Text(min_len=1), "user": USER})
VERIFICATION_SENT = sent("VerificationSent", {"email": _EMAIL_OUT, "email_sent": Flag()})


class PasswordHashing:
    """argon2id; the cost is configurable so tests can run cheaply, production keeps the defaults.
    argon2 (and its cffi bindings) is imported when a password is first hashed or checked: most
    requests, and a cold start, never need it."""

    def __init__(self, time_cost: int, memory_kib: int) -> None:
        from argon2 import PasswordHasher

        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        from argon2.exceptions import InvalidHashError, VerificationError

        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
