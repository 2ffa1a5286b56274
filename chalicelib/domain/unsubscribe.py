"""The signed unsubscribe link of an organizer message: ``base64url(event_id NUL address) "."
HMAC-SHA256``. It names one address and one event, never expires (old e-mails keep working) and
needs no sign-in; anyone holding it may only stop (or restart) that address's messages from that
event. The key is derived from the platform secret for this purpose alone, so the signature is
worth nothing anywhere else."""

import base64
import binascii
import hashlib
import hmac
from typing import Any

from chalicelib.domain.errors import BadRequestError
from chalicelib.domain.fields import Flag, Matching, Text
from chalicelib.domain.objects import Object, sent

_PURPOSE = b"marquee unsubscribe v1"
_SEPARATOR = "\x00"
MAX_TOKEN = 2048
INVALID_LINK = "This unsubscribe link is not valid; use the link of the e-mail itself."

UNSUBSCRIBE_REQUEST = Object(
    {
        "token": Matching(
            INVALID_LINK, min_len=1, max_len=MAX_TOKEN, pattern=r"^[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+$"
        )
    },
    required=("token",),
)
SUBSCRIPTION = sent(
    "Subscription",
    {
        "event": sent(None, {"id": Text(min_len=1), "name": Text()}),
        "email": Text(),
        "subscribed": Flag(description="false once unsubscribed"),
    },
)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, payload: str) -> str:
    key = hmac.new(secret.encode(), _PURPOSE, hashlib.sha256).digest()
    return _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest())


def unsubscribe_token(secret: str, event_id: str, email: str) -> str:
    payload = _b64(f"{event_id}{_SEPARATOR}{email}".encode())
    return f"{payload}.{_mac(secret, payload)}"


def read_unsubscribe_token(secret: str, token: Any) -> tuple[str, str]:
    """(event id, address) of a token this platform signed; 400 ``invalid_link`` for anything else."""
    invalid = BadRequestError(INVALID_LINK, code="invalid_link")
    if not isinstance(token, str) or token.count(".") != 1:
        raise invalid
    payload, mac = token.split(".")
    if not hmac.compare_digest(_mac(secret, payload), mac):
        raise invalid
    try:
        event_id, _, email = _unb64(payload).decode().partition(_SEPARATOR)
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise invalid from error
    if not event_id or not email:
        raise invalid
    return event_id, email
