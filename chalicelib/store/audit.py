"""Recording and reading the audit log (role changes, invites, the permission matrix,
publish / unpublish, event deletion, order status changes)."""

import uuid
from typing import Any

from chalicelib.domain.clock import now_iso
from chalicelib.store.models.audit import AuditModel
from chalicelib.store.models.events import event_pk
from chalicelib.store.models.users import UserModel
from chalicelib.store.pagination import decode_cursor, encode_cursor

PLATFORM_SCOPE = "PLATFORM"


def audit_record(
    actor: UserModel | str | None,
    action: str,
    *,
    event_id: str | None = None,
    target: dict[str, Any] | None = None,
    before: Any = None,
    after: Any = None,
) -> AuditModel:
    """A record ready to be saved, alone (``record``) or inside the transaction of the change.

    ``actor`` is the user, their id when only that is at hand, or None for the system itself
    (the order sweep, operator commands)."""
    at = now_iso()
    record_id = uuid.uuid4().hex
    return AuditModel(
        event_pk(event_id) if event_id else PLATFORM_SCOPE,
        f"{at}#{record_id}",
        record_id=record_id,
        at=at,
        action=action,
        actor_id=actor if isinstance(actor, str) else (actor.user_id if actor else None),
        actor_email=actor.email if isinstance(actor, UserModel) else None,
        event_id=event_id,
        target=target,
        before=before,
        after=after,
    )


def record(actor: UserModel | str | None, action: str, **fields: Any) -> None:
    audit_record(actor, action, **fields).save()


def audit_view(item: AuditModel) -> dict[str, Any]:
    return {
        "id": item.record_id,
        "at": item.at,
        "action": item.action,
        "actor": {"id": item.actor_id, "email": item.actor_email} if item.actor_id else None,
        "event_id": item.event_id,
        "target": item.target,
        "before": item.before,
        "after": item.after,
    }


def event_activity(event_id: str, limit: int, cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
    page = AuditModel.query(
        event_pk(event_id),
        scan_index_forward=False,
        limit=limit,
        last_evaluated_key=decode_cursor(cursor, f"activity:{event_id}"),
    )
    items = [audit_view(item) for item in page]
    return items, encode_cursor(page.last_evaluated_key, f"activity:{event_id}")


def all_activity(limit: int, cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
    page = AuditModel.by_feed.query(
        "all", scan_index_forward=False, limit=limit, last_evaluated_key=decode_cursor(cursor, "activity")
    )
    items = [audit_view(item) for item in page]
    return items, encode_cursor(page.last_evaluated_key, "activity")
