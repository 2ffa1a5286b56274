"""Notification rules: what a message may contain, and how an id finds its item again.

Messages are HTML written by our own features but often quoting user input (an event name, an
inviter's name), so they are sanitized on the way in: links and basic formatting survive,
scripts, event handlers, styles and javascript: URLs do not, and every link gets
``rel="noopener noreferrer"``. Titles are plain text.
"""

import re
import secrets
from datetime import UTC, datetime, timedelta

ALLOWED_TAGS = frozenset(
    {"a", "b", "strong", "i", "em", "u", "s", "p", "br", "ul", "ol", "li", "code", "pre", "blockquote"}
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer"
MAX_TITLE_LENGTH = 200
MAX_MESSAGE_LENGTH = 10_000

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# An id is the creation time in milliseconds (12 hex digits) and 80 random bits (20 hex digits):
# the item's sort key can be rebuilt from the id alone, so marking one read is a direct write.
_ID = re.compile(r"^[0-9a-f]{32}$")


def sanitize_message(html: str) -> str:
    import nh3  # only the requests that create notifications pay for it (cold start)

    return nh3.clean(
        html[:MAX_MESSAGE_LENGTH],
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style"},
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel=LINK_REL,
    )


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
