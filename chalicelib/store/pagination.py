"""Opaque cursors for paginated lists: DynamoDB's LastEvaluatedKey, base64url-encoded JSON."""

import base64
import binascii
import json
from typing import Any

from chalicelib.domain.errors import ValidationError

MAX_PAGE_SIZE = 100


def encode_cursor(last_evaluated_key: dict[str, Any] | None) -> str | None:
    if not last_evaluated_key:
        return None
    raw = json.dumps(last_evaluated_key, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw)
    except (binascii.Error, ValueError) as error:
        raise ValidationError({"cursor": "This cursor is not one we issued."}) from error
    if not isinstance(key, dict) or not all(isinstance(v, dict) and len(v) == 1 for v in key.values()):
        raise ValidationError({"cursor": "This cursor is not one we issued."})
    return key


def page_size(value: str | None, default: int = 50) -> int:
    if value is None:
        return default
    if not value.isdigit() or not 1 <= int(value) <= MAX_PAGE_SIZE:
        raise ValidationError({"limit": f"Use a whole number from 1 to {MAX_PAGE_SIZE}."})
    return int(value)
