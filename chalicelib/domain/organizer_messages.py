"""Organizer messages: what an organizer may write to the event's attendees, how its body becomes
the HTML of the e-mail, and how often an event may send one."""

import re
from typing import Any

from chalicelib.domain.fields import Choice, Integer, Parsed, Text
from chalicelib.domain.limits import Limit
from chalicelib.domain.objects import ListOf, Object, list_of, sent

MAX_SUBJECT = 150
MAX_BODY = 20_000
MAX_TICKET_IDS = 100
QUEUED, SENT = "queued", "sent"
ORGANIZER_MESSAGE_ACTION = "organizer_message"
# Links a message may carry: anything else (javascript:, data:, relative paths) stays plain text.
LINK_SCHEMES = ("http://", "https://", "mailto:")
# A subject is one line of text: a control character could split the mail's header.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

# Enforced by the counter's own conditional write (store/ratelimit.py).
MESSAGES_PER_EVENT = Limit(
    "organizer-messages", 5, 3600, "This event has sent 5 messages this hour; wait before sending another."
)


def _subject(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("Give the message a subject.")
    text = value.strip()
    if len(text) > MAX_SUBJECT:
        raise ValueError(f"Use at most {MAX_SUBJECT} characters.")
    if _CONTROL.search(text):
        raise ValueError("Write the subject on one line.")
    return text


MESSAGE_REQUEST = Object(
    {
        "subject": Parsed(_subject, {"type": "string", "minLength": 1, "maxLength": MAX_SUBJECT}),
        "body": Text(MAX_BODY, required="Write the message.", measure_stripped=False),
        "ticket_ids": ListOf(
            Text(64, min_len=1, required="Give a ticket id."),
            min_items=1,
            max_items=MAX_TICKET_IDS,
            message="Give a list of ticket ids, or leave it out to write to every attendee.",
            duplicate="This ticket is listed twice.",
            description="only the attendees of these tickets; left out or null: every valid attendee",
            nullable=True,
            keep_null=True,
        ),
    },
    required=("subject", "body"),
    examples=[{"subject": "Doors open at 9", "body": "See you **tomorrow**!", "ticket_ids": None}],
)

_ID = Text(min_len=1)
ORGANIZER_MESSAGE = sent(
    "OrganizerMessage",
    {
        "id": _ID,
        "subject": Text(),
        "body": Text(),
        "html": Text(description="the body as the e-mail shows it: sanitized HTML"),
        "ticket_ids": list_of(_ID, nullable=True, keep_null=True),
        "status": Choice((QUEUED, SENT)),
        "recipients": Integer(minimum=0, nullable=True, description="addresses mailed; null until sent"),
        "created_at": Text(fmt="date-time"),
        "sent_at": Text(fmt="date-time", nullable=True, null_value=None),
        "sender": sent(None, {"id": _ID, "email": Text()}),
    },
)
MESSAGE_PREVIEW = sent(
    "MessagePreview",
    {"subject": Text(), "html": Text(description="the body as the e-mail shows it: sanitized HTML")},
)
RECIPIENT_COUNT = sent(
    "RecipientCount",
    {
        "count": Integer(
            minimum=0,
            description="valid tickets of the chosen ticket types, from the tickets' sold counters "
            "(someone holding several gets one e-mail; unsubscribed addresses get none)",
        )
    },
)


def _safe_link(url: str) -> bool:
    return url.strip().lower().startswith(LINK_SCHEMES)


def render_body(body: str) -> str:
    """The body (plain text or Markdown) as HTML: raw HTML in it is shown as text, images are not
    drawn (remote pixels track readers) and links go only to http(s) and mailto addresses."""
    from markdown_it import MarkdownIt  # imported by the few requests that write messages

    renderer = MarkdownIt("commonmark", {"html": False, "breaks": True, "linkify": False})
    renderer.disable("image")
    renderer.validateLink = _safe_link  # type: ignore[method-assign]
    return str(renderer.render(body))
