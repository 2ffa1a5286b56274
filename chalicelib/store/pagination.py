"""Opaque cursors for paginated lists: DynamoDB's LastEvaluatedKey as base64url JSON, signed
with the list it belongs to, so a forged cursor, or one of another list (another user's,
another event's), is a 422 rather than a key DynamoDB refuses with a 500."""

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any

from chalicelib.domain.errors import ValidationError
from chalicelib.store.secrets import jwt_secret

MAX_PAGE_SIZE = 100


_NOT_OURS = "This cursor is not one we issued for this list."


def _signature(scope: str, payload: str) -> str:
    digest = hmac.new(jwt_secret().encode(), f"{scope}\n{payload}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()[:18]).decode()


def encode_cursor(last_evaluated_key: dict[str, Any] | None, scope: str) -> str | None:
    """``scope`` names the list (and whose it is), e.g. ``f"orders:{event_id}"``."""
    if not last_evaluated_key:
        return None
    raw = json.dumps(last_evaluated_key, separators=(",", ":"), sort_keys=True).encode()
    payload = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    return f"{payload}.{_signature(scope, payload)}"


def decode_cursor(cursor: str | None, scope: str) -> dict[str, Any] | None:
    if not cursor:
        return None
    payload, _, signature = cursor.partition(".")
    if not hmac.compare_digest(signature.encode(), _signature(scope, payload).encode()):
        raise ValidationError({"cursor": _NOT_OURS})
    try:
        key = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (binascii.Error, ValueError) as error:
        raise ValidationError({"cursor": _NOT_OURS}) from error
    return key


def page_size(value: str | None, default: int = 50) -> int:
    if value is None:
        return default
    if not value.isdigit() or not 1 <= int(value) <= MAX_PAGE_SIZE:
        raise ValidationError({"limit": f"Use a whole number from 1 to {MAX_PAGE_SIZE}."})
    return int(value)
