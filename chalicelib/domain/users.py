"""Rules for accounts: what a valid signup is, how e-mails compare, how passwords are hashed."""

import re
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from chalicelib.domain.errors import ValidationError

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


class PasswordHashing:
    """argon2id; the cost is configurable so tests can run cheaply, production keeps the defaults."""

    def __init__(self, time_cost: int, memory_kib: int) -> None:
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
