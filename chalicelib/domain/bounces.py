"""SES bounce and complaint notifications as SNS delivers them over HTTPS: which addresses become
undeliverable. A permanent bounce (the address does not exist, or refuses us for good) and a
complaint (the reader marked our mail as spam) do; a transient bounce (a full mailbox, a server
down) does not: SES has retried already and the next mail may well arrive."""

import json
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.errors import BadRequestError

SUBSCRIPTION_CONFIRMATION = "SubscriptionConfirmation"
NOTIFICATION = "Notification"
UNSUBSCRIBE_CONFIRMATION = "UnsubscribeConfirmation"
BOUNCE, COMPLAINT = "bounce", "complaint"


@dataclass(frozen=True)
class Undeliverable:
    email: str
    reason: str
    detail: str


def parse_envelope(raw: bytes) -> dict[str, Any]:
    """The SNS message (``Type``, ``Message``, ``TopicArn``...); 400 for anything else."""
    try:
        envelope = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise BadRequestError("The body is not an SNS message.", code="malformed_notification") from error
    if not isinstance(envelope, dict) or not isinstance(envelope.get("Type"), str):
        raise BadRequestError("The body is not an SNS message.", code="malformed_notification")
    return envelope


def _recipients(entries: Any) -> list[str]:
    if not isinstance(entries, list):
        return []
    return [
        entry["emailAddress"].strip().lower()
        for entry in entries
        if isinstance(entry, dict)
        and isinstance(entry.get("emailAddress"), str)
        and entry["emailAddress"].strip()
    ]


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def undeliverable_addresses(envelope: dict[str, Any]) -> list[Undeliverable]:
    """The addresses a ``Notification`` makes undeliverable (none for other notification types)."""
    try:
        message = json.loads(envelope.get("Message") or "")
    except (TypeError, ValueError, RecursionError) as error:
        raise BadRequestError(
            "The notification's Message is not SES's JSON.", code="malformed_notification"
        ) from error
    if not isinstance(message, dict):
        raise BadRequestError("The notification's Message is not SES's JSON.", code="malformed_notification")
    # SES notifications say notificationType; SES event publishing says eventType.
    kind = message.get("notificationType") or message.get("eventType")
    if kind == "Bounce":
        bounce = _object(message.get("bounce"))
        if bounce.get("bounceType") != "Permanent":
            return []
        detail = f"{bounce.get('bounceType')}/{bounce.get('bounceSubType', '')}"
        return [
            Undeliverable(email, BOUNCE, detail) for email in _recipients(bounce.get("bouncedRecipients"))
        ]
    if kind == "Complaint":
        complaint = _object(message.get("complaint"))
        detail = str(complaint.get("complaintFeedbackType") or "")
        return [
            Undeliverable(email, COMPLAINT, detail)
            for email in _recipients(complaint.get("complainedRecipients"))
        ]
    return []
