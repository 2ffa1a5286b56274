"""Who mail must not reach: undeliverable addresses and per-event unsubscribes."""

import hashlib
from typing import Any

from chalicelib.domain.clock import now_iso
from chalicelib.store.aws import client
from chalicelib.store.models.mailing import (
    ADDRESS_SK,
    UndeliverableModel,
    UnsubscribedModel,
    undeliverable_pk,
    unsubscribed_pk,
)
from chalicelib.store.models.system import SYSTEM_TABLE


def address_key(email: str) -> str:
    """An address in a claim's key (hashed: the key holds no address)."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def mark_undeliverable(email: str, reason: str, detail: str = "") -> None:
    address = email.strip().lower()
    UndeliverableModel(
        undeliverable_pk(address), ADDRESS_SK, email=address, reason=reason, detail=detail[:500], at=now_iso()
    ).save()


def forget_undeliverable(email: str) -> None:
    UndeliverableModel(undeliverable_pk(email.strip().lower()), ADDRESS_SK).delete()


def unsubscribe(event_id: str, email: str) -> None:
    UnsubscribedModel(unsubscribed_pk(event_id), email.strip().lower(), at=now_iso()).save()


def resubscribe(event_id: str, email: str) -> None:
    UnsubscribedModel(unsubscribed_pk(event_id), email.strip().lower()).delete()


def is_subscribed(event_id: str, email: str) -> bool:
    return _found([(unsubscribed_pk(event_id), email.strip().lower())]) == set()


def _found(keys: list[tuple[str, str]]) -> set[str]:
    """The ``pk`` of each of these system-table items that exists (one BatchGetItem)."""
    request: dict[str, Any] = {
        SYSTEM_TABLE: {
            "Keys": [{"pk": {"S": pk}, "sk": {"S": sk}} for pk, sk in keys],
            "ConsistentRead": True,
            "ProjectionExpression": "pk",
        }
    }
    found: set[str] = set()
    while request:
        answer = client("dynamodb").batch_get_item(RequestItems=request)
        found.update(item["pk"]["S"] for item in answer["Responses"].get(SYSTEM_TABLE, []))
        request = answer.get("UnprocessedKeys") or {}
    return found


def suppressed(email: str, unsubscribed_from: str | None = None) -> str | None:
    """Why ``email`` must not get this mail (``undeliverable`` / ``unsubscribed``), or None: one
    read for the address and, for an organizer message, its event's unsubscribe."""
    address = email.strip().lower()
    keys = [(undeliverable_pk(address), ADDRESS_SK)]
    if unsubscribed_from is not None:
        keys.append((unsubscribed_pk(unsubscribed_from), address))
    found = _found(keys)
    if undeliverable_pk(address) in found:
        return "undeliverable"
    if unsubscribed_from is not None and unsubscribed_pk(unsubscribed_from) in found:
        return "unsubscribed"
    return None
