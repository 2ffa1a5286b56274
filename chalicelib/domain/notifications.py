"""Notification rules: what a title and a message are, and how an id finds its item again.

Titles and messages are plain text, stored and served as written (bounded in length) and shown by
clients as text, never parsed as markup: quoting user input (an event name, a buyer's name) needs no
escaping and cannot inject anything.
"""

import re
import secrets
from datetime import UTC, datetime, timedelta

MAX_TITLE_LENGTH = 200
MAX_MESSAGE_LENGTH = 10_000

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# An id is the creation time in milliseconds (12 hex digits) and 80 random bits (20 hex digits):
# the item's sort key can be rebuilt from the id alone, so marking one read is a direct write.
_ID = re.compile(r"^[0-9a-f]{32}$")


def clean_message(text: str) -> str:
    return text[:MAX_MESSAGE_LENGTH]


def clean_title(title: str) -> str:
    return " ".join(title.split())[:MAX_TITLE_LENGTH]


def new_notification_id(at: datetime) -> str:
    millis = (at - _EPOCH) // timedelta(milliseconds=1)
    return f"{millis:012x}{secrets.token_hex(10)}"


def created_at(notification_id: str) -> datetime | None:
    """When the notification with this id was created; None for a string that is not an id."""
    if not _ID.match(notification_id):
        return None
    try:
        return _EPOCH + timedelta(milliseconds=int(notification_id[:12], 16))
    except OverflowError:
        return None


def iso_millis(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="milliseconds")
