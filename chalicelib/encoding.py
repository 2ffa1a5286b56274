"""JSON encoding for HTTP responses and WebSocket pushes: Decimal money stays exact (as a string),
never a float."""

import json
from datetime import datetime
from decimal import Decimal
from typing import Any


def _encode_extra(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def dumps(value: Any) -> str:
    return json.dumps(value, default=_encode_extra, separators=(",", ":"), ensure_ascii=False)
