"""Tracks, sessions, speakers, sponsors and microlocations of an event: one generic store.

Every write goes through ``versioned_write`` (bumping the service's counter on the event item)
and is conditioned on what was read: the item's ``ver`` (If-Match, or the version this request
read), the existence of every item a session refers to, and, when deleting something sessions
may refer to, on ``sessions_ver`` being the one read before the sessions were listed, so no
session can start using a deleted track between the check and the delete. Without If-Match a
write that lost such a race is retried on fresh data; with If-Match it ends in 412.
"""

import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from pynamodb.exceptions import DoesNotExist

from chalicelib.domain import services as rules
from chalicelib.domain.clock import now_iso
from chalicelib.domain.errors import ConflictError, NotFoundError, PreconditionFailedError, ValidationError
from chalicelib.store.events import get_event
from chalicelib.store.models.events import EventModel, event_pk
from chalicelib.store.models.services import ServiceItemModel
from chalicelib.store.retry import LostRace, retrying
from chalicelib.store.transactions import Transaction
from chalicelib.store.versions import STALE_MESSAGE, versioned_write

ATTEMPTS = 3
# A transaction holds at most 100 items: the deleted item, the event item and the sessions unlinked.
MAX_UNLINKED_SESSIONS = 98
RACE_MESSAGE = "This changed while you were saving; reload and try again."
T = TypeVar("T")


def item_key(service: str, item_id: str) -> str:
    return f"{rules.SERVICES[service].sk_prefix}{item_id}"


@dataclass
class StoredItem:
    """An item with what its representation includes: a track's sessions (in session order)."""

    item: ServiceItemModel
    sessions: list[ServiceItemModel] | None = None


def _query(event_id: str, service: str) -> list[ServiceItemModel]:
    prefix = rules.SERVICES[service].sk_prefix
    return list(
        ServiceItemModel.query(
            event_pk(event_id), ServiceItemModel.sk.startswith(prefix), consistent_read=True
        )
    )


def _track_sessions(sessions: list[ServiceItemModel]) -> dict[str, list[ServiceItemModel]]:
    by_track: dict[str, list[ServiceItemModel]] = defaultdict(list)
    for session in sorted(sessions, key=lambda s: rules.session_order(s.fields)):
        if session.fields.get("track_id"):
            by_track[session.fields["track_id"]].append(session)
    return by_track


def _order(service: str, items: list[ServiceItemModel]) -> list[ServiceItemModel]:
    if service == "session":
        return sorted(items, key=lambda s: rules.session_order(s.fields))
    return sorted(items, key=lambda i: (i.fields["name"].lower(), i.created_at))


def list_versions(event: EventModel, service: str) -> list[int]:
    """What the list's ETag is built from: a track's representation includes its sessions."""
    versions = [int(getattr(event, rules.SERVICES[service].counter))]
    if service == "track":
        versions.append(int(event.sessions_ver))
    return versions


def list_items(event_id: str, service: str) -> list[StoredItem]:
    items = _order(service, _query(event_id, service))
    if service != "track":
        return [StoredItem(item) for item in items]
    sessions = _track_sessions(_query(event_id, "session"))
    return [StoredItem(item, sessions.get(item.item_id, [])) for item in items]


def _get(event_id: str, service: str, item_id: str) -> ServiceItemModel:
    try:
        return ServiceItemModel.get(event_pk(event_id), item_key(service, item_id), consistent_read=True)
    except DoesNotExist as error:
        raise NotFoundError(f"No such {service} in this event.") from error


def _representation(event: EventModel, service: str, item: ServiceItemModel) -> tuple[StoredItem, list[int]]:
    """The item with its sessions and the versions of its ETag (the first is what If-Match
    conditions on)."""
    if service != "track":
        return StoredItem(item), [int(item.ver)]
    sessions = _track_sessions(_query(event.event_id, "session")).get(item.item_id, [])
    return StoredItem(item, sessions), [int(item.ver), int(event.sessions_ver)]


def get_item(event: EventModel, service: str, item_id: str) -> tuple[StoredItem, list[int]]:
    return _representation(event, service, _get(event.event_id, service, item_id))


def _missing_references(event_id: str, refs: list[tuple[str, str, str]]) -> dict[str, str]:
    if not refs:
        return {}
    keys = [(event_pk(event_id), item_key(target, ref)) for _, target, ref in refs]
    found = {
        item.sk
        for item in ServiceItemModel.batch_get(keys, consistent_read=True, attributes_to_get=["pk", "sk"])
    }
    return {
        path: f"No {target} with this id in this event."
        for path, target, ref in refs
        if item_key(target, ref) not in found
    }


def _check_references(transaction: Transaction, event_id: str, refs: list[tuple[str, str, str]]) -> None:
    for _, target, ref in refs:
        transaction.condition_check(
            ServiceItemModel,
            event_pk(event_id),
            item_key(target, ref),
            condition=ServiceItemModel.sk.exists(),
        )


def _validated(
    event: EventModel, service: str, payload: dict[str, Any], current: dict[str, Any] | None = None
) -> tuple[dict[str, Any], list[tuple[str, str, str]]]:
    fields = rules.validate_service(service, payload, current, (event.starts_at, event.ends_at))
    refs = rules.references(service, fields)
    missing = _missing_references(event.event_id, refs)
    if missing:
        raise ValidationError(missing)
    return fields, refs


def _with_retries(event: EventModel, expected: Sequence[int] | None, attempt: Callable[[EventModel], T]) -> T:
    """Run ``attempt`` on the event (read again after a lost race) until it does not lose one.
    With If-Match there is no retry: the client's copy is stale, 412."""

    def on_fresh_event(fresh: bool) -> T:
        try:
            return attempt(get_event(event.event_id) if fresh else event)
        except _Stale as error:
            if expected is not None:
                raise PreconditionFailedError(STALE_MESSAGE) from error
            raise LostRace from error

    return retrying(on_fresh_event, attempts=ATTEMPTS, busy=ConflictError(RACE_MESSAGE))


class _Stale(ConflictError):
    """Something changed between our read and our write: read again and retry."""


def create_item(event: EventModel, service: str, payload: dict[str, Any]) -> StoredItem:
    fields, refs = _validated(event, service, payload)
    item_id = uuid.uuid4().hex
    moment = now_iso()
    item = ServiceItemModel(
        event_pk(event.event_id),
        item_key(service, item_id),
        item_id=item_id,
        service=service,
        ver=1,
        fields=fields,
        created_at=moment,
        updated_at=moment,
    )
    try:
        with versioned_write(event.event_id, [rules.SERVICES[service].counter]) as transaction:
            transaction.save(item, condition=ServiceItemModel.sk.does_not_exist())
            _check_references(transaction, event.event_id, refs)
    except ConflictError:
        # A referenced item was deleted since we checked: say which.
        missing = _missing_references(event.event_id, refs)
        if missing:
            raise ValidationError(missing) from None
        raise
    # No session can use an item that did not exist a moment ago.
    return StoredItem(item, [] if service == "track" else None)


def update_item(
    event: EventModel, service: str, item_id: str, payload: dict[str, Any], expected: Sequence[int] | None
) -> tuple[StoredItem, list[int]]:
    def attempt(event: EventModel) -> tuple[StoredItem, list[int]]:
        item = _get(event.event_id, service, item_id)
        if expected is not None and int(item.ver) not in expected:
            raise PreconditionFailedError(STALE_MESSAGE)
        fields, refs = _validated(event, service, payload, item.fields)
        moment = now_iso()
        try:
            with versioned_write(event.event_id, [rules.SERVICES[service].counter]) as transaction:
                transaction.update(
                    item,
                    actions=[
                        ServiceItemModel.fields.set(fields),
                        ServiceItemModel.ver.add(1),
                        ServiceItemModel.updated_at.set(moment),
                    ],
                    condition=ServiceItemModel.ver == item.ver,
                )
                _check_references(transaction, event.event_id, refs)
        except ConflictError as error:
            missing = _missing_references(event.event_id, refs)
            if missing:
                raise ValidationError(missing) from error
            raise _Stale(RACE_MESSAGE) from error
        item.fields, item.ver, item.updated_at = fields, int(item.ver) + 1, moment
        return _representation(event, service, item)

    return _with_retries(event, expected, attempt)


def delete_item(
    event: EventModel, service: str, item_id: str, expected: Sequence[int] | None, force: bool
) -> None:
    """Delete an item; one that sessions use -> 409 unless ``force``, which unlinks them too."""

    def attempt(event: EventModel) -> None:
        item = _get(event.event_id, service, item_id)
        if expected is not None and int(item.ver) not in expected:
            raise PreconditionFailedError(STALE_MESSAGE)
        referenced = service in rules.REFERENCED_SERVICES
        users = (
            [s for s in _query(event.event_id, "session") if rules.uses(s.fields, service, item_id)]
            if referenced
            else []
        )
        if users and not force:
            raise ConflictError(
                f"{len(users)} session(s) use this {service}; delete with ?force=true to unlink them.",
                {"sessions": [s.item_id for s in users]},
                code="in_use",
            )
        if len(users) > MAX_UNLINKED_SESSIONS:
            raise ConflictError(
                f"{len(users)} sessions use this {service}; unlink some first (at most "
                f"{MAX_UNLINKED_SESSIONS} at once).",
                code="too_many_references",
            )
        counters = [rules.SERVICES[service].counter] + (["sessions_ver"] if users else [])
        moment = now_iso()
        # Conditioned on sessions_ver: no session may have started using the item since we listed them.
        guard = (
            {"expected": [int(event.sessions_ver)], "expected_counter": "sessions_ver"} if referenced else {}
        )
        try:
            with versioned_write(event.event_id, counters, **guard) as transaction:
                transaction.delete(item, condition=ServiceItemModel.ver == item.ver)
                for session in users:
                    transaction.update(
                        session,
                        actions=[
                            ServiceItemModel.fields.set(rules.unlink(session.fields, service, item_id)),
                            ServiceItemModel.ver.add(1),
                            ServiceItemModel.updated_at.set(moment),
                        ],
                        condition=ServiceItemModel.ver == session.ver,
                    )
        except (ConflictError, PreconditionFailedError) as error:
            raise _Stale(RACE_MESSAGE) from error

    _with_retries(event, expected, attempt)
