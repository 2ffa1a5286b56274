"""Events: create (the creator becomes organizer), read, update with If-Match, delete,
the staff list, "my events" and the public list. No scans: every list is a Query."""

import uuid
from collections.abc import Sequence
from typing import Any

from pynamodb.exceptions import DoesNotExist, TransactWriteError

from chalicelib.config import settings
from chalicelib.domain.clock import now, now_iso
from chalicelib.domain.errors import ConflictError, NotFoundError, PreconditionFailedError, ValidationError
from chalicelib.domain.events import EVENT, PUBLISHED, validate_event
from chalicelib.domain.limits import EVENTS_PER_USER
from chalicelib.domain.money import currency_decimals_message, fits_currency
from chalicelib.domain.payments import chosen_provider
from chalicelib.domain.permissions import ORGANIZER
from chalicelib.store import queue, ratelimit
from chalicelib.store.audit import audit_record
from chalicelib.store.models.events import (
    EVENT_SK,
    EventModel,
    MembershipModel,
    event_pk,
    role_sk,
)
from chalicelib.store.models.users import UserModel
from chalicelib.store.pagination import decode_cursor, encode_cursor
from chalicelib.store.retry import LostRace, retrying
from chalicelib.store.tickets import list_tickets
from chalicelib.store.transactions import Cancelled
from chalicelib.store.transactions import transaction as tagged_transaction
from chalicelib.store.versions import STALE_MESSAGE, version_condition, versioned_write


def _event_fields(event: EventModel) -> dict[str, Any]:
    """The event as stored, in the shape the validator checks a change against."""
    return {field: getattr(event, field) for field in EVENT.dump(event) if hasattr(EventModel, field)}


def create_event(payload: dict[str, Any], creator_id: str) -> EventModel:
    fields = validate_event(payload)
    chosen_provider(fields["payment_provider"], settings().stripe_configured)
    event_id = uuid.uuid4().hex
    created_at = now_iso()
    event = EventModel(
        event_pk(event_id),
        EVENT_SK,
        event_id=event_id,
        created_by=creator_id,
        created_at=created_at,
        event_ver=1,
        listing=PUBLISHED if fields["state"] == PUBLISHED else None,
        queue_opened_at=created_at,
        **fields,
    )
    membership = MembershipModel(
        event_pk(event_id),
        role_sk(creator_id),
        member_id=creator_id,
        event_id=event_id,
        role=ORGANIZER,
        created_at=created_at,
    )
    per_user = EVENTS_PER_USER._replace(max_count=settings().events_per_user_per_day)
    reservation = ratelimit.consume(per_user, creator_id)
    try:
        with tagged_transaction() as pending:
            pending.save(event, condition=EventModel.pk.does_not_exist())
            pending.save(membership)
    except (Cancelled, TransactWriteError):
        ratelimit.give_back(reservation)
        raise
    return event


UPDATE_ATTEMPTS = 3


def update_event(
    event: EventModel, payload: dict[str, Any], expected: Sequence[int] | None, actor: UserModel
) -> EventModel:
    """Validate against the event as read and write conditioned on that very version: with
    If-Match a lost race is a 412; without, the event is read again and the change re-validated
    (two edits of starts_at and ends_at can never combine into an event that ends first)."""

    def attempt(fresh: bool) -> EventModel:
        current = get_event(event.event_id) if fresh else event
        try:
            return _update_read_version(current, payload, expected or [int(current.event_ver)], actor)
        except PreconditionFailedError as stale:
            if expected is not None:
                raise
            raise LostRace from stale

    return retrying(
        attempt,
        attempts=UPDATE_ATTEMPTS,
        busy=ConflictError("The event keeps changing; reload it and try again.", code="busy"),
    )


def _check_prices_fit(event_id: str, currency: str) -> None:
    """A currency with fewer decimals than the tickets' prices (EUR 12.50 -> JPY) is refused."""
    misfits = [t.name for t in list_tickets(event_id) if not fits_currency(t.price, currency)]
    if misfits:
        names = ", ".join(misfits)
        message = f"{currency_decimals_message(currency)} Change these prices first: {names}."
        raise ValidationError({"currency": message})


def _update_read_version(
    event: EventModel, payload: dict[str, Any], expected: Sequence[int], actor: UserModel
) -> EventModel:
    changes = validate_event(payload, _event_fields(event))
    room = changes.get("waiting_room")
    server_fields = queue.reopening(event, room, now()) if room is not None else {}
    if "payment_provider" in changes:
        chosen_provider(changes["payment_provider"], settings().stripe_configured)
    if changes.get("currency", event.currency) != event.currency:
        _check_prices_fit(event.event_id, changes["currency"])
    actions = [
        getattr(EventModel, field).set(value) if value is not None else getattr(EventModel, field).remove()
        for field, value in {**changes, **server_fields}.items()
    ]
    state_change = changes.get("state") if changes.get("state", event.state) != event.state else None
    if state_change:
        listing = EventModel.listing
        actions.append(listing.set(PUBLISHED) if state_change == PUBLISHED else listing.remove())
    with versioned_write(event.event_id, ["event_ver"], expected, event_actions=actions) as transaction:
        if state_change:
            action = "event.published" if state_change == PUBLISHED else "event.unpublished"
            transaction.save(
                audit_record(
                    actor,
                    action,
                    event_id=event.event_id,
                    before={"state": event.state},
                    after={"state": state_change},
                )
            )
    for field, value in {**changes, **server_fields}.items():
        setattr(event, field, value)
    event.event_ver = int(event.event_ver) + 1
    return event


def get_event(event_id: str, missing: str = "No such event.") -> EventModel:
    """The event as it is now (a consistent read), or ``NotFoundError(missing)``."""
    try:
        return EventModel.get(event_pk(event_id), EVENT_SK, consistent_read=True)
    except DoesNotExist as error:
        raise NotFoundError(missing) from error


# What a push to the public pages needs of the event: whether it is public, and its waiting room.
_PUBLIC_STATE = ["state", "waiting_room", "queue_opened_at", "queue_admitted_base"]


def published_state(event_id: str) -> EventModel | None:
    """The event's state and waiting room (only those; consistent: a push follows the room's change
    on the stream), or None while it is a draft or gone."""
    try:
        event = EventModel.get(
            event_pk(event_id), EVENT_SK, consistent_read=True, attributes_to_get=_PUBLIC_STATE
        )
    except DoesNotExist:
        return None
    return event if event.state == PUBLISHED else None


def delete_event(
    event: EventModel, expected: Sequence[int] | None, actor: UserModel, snapshot: dict[str, Any]
) -> None:
    """Delete the event item first, conditionally and audited (``snapshot``: what the audit
    keeps of it); then the rest of its partition."""
    try:
        with tagged_transaction() as pending:
            pending.delete(event, condition=version_condition("event_ver", expected))
            pending.save(audit_record(actor, "event.deleted", event_id=event.event_id, before=snapshot))
    except (Cancelled, TransactWriteError) as error:
        raise PreconditionFailedError(STALE_MESSAGE) from error
    with EventModel.batch_write() as batch:
        for pk, sk in _partition_keys(event.pk):
            batch.delete(EventModel(pk, sk))


def _partition_keys(pk: str) -> list[tuple[str, str]]:
    return [(item.pk, item.sk) for item in EventModel.query(pk, attributes_to_get=["pk", "sk"])]


def _events_by_id(event_ids: list[str]) -> list[EventModel]:
    if not event_ids:
        return []
    found = {e.event_id: e for e in EventModel.batch_get([(event_pk(i), EVENT_SK) for i in event_ids])}
    return [found[i] for i in event_ids if i in found]


def list_all_events(limit: int, cursor: str | None) -> tuple[list[EventModel], str | None]:
    page = EventModel.by_entity.query(
        "event", scan_index_forward=False, limit=limit, last_evaluated_key=decode_cursor(cursor, "events")
    )
    ids = [item.pk.removeprefix("EVENT#") for item in page]
    return _events_by_id(ids), encode_cursor(page.last_evaluated_key, "events")


def list_published_events(
    limit: int, cursor: str | None, *, since: str | None = None, before: str | None = None
) -> tuple[list[EventModel], str | None]:
    """A page of published events by start: those starting ``since`` soonest first, or those
    starting ``before`` latest first."""
    if before is not None:
        condition, forward = EventModel.starts_at < before, False
    else:
        condition, forward = EventModel.starts_at >= (since or ""), True
    page = EventModel.by_listing.query(
        PUBLISHED,
        condition,
        scan_index_forward=forward,
        limit=limit,
        last_evaluated_key=decode_cursor(cursor, "public"),
    )
    ids = [item.pk.removeprefix("EVENT#") for item in page]
    return _events_by_id(ids), encode_cursor(page.last_evaluated_key, "public")


def list_member_events(user_id: str) -> list[tuple[EventModel, str]]:
    memberships = list(MembershipModel.by_member.query(user_id))
    roles = {m.event_id: m.role for m in memberships}
    return [(event, roles[event.event_id]) for event in _events_by_id(list(roles))]


def get_published_event(event_id: str) -> EventModel | None:
    try:
        event = EventModel.get(event_pk(event_id), EVENT_SK)
    except DoesNotExist:
        return None
    return event if event.state == PUBLISHED else None


def replace_fields(
    event: EventModel, fields: dict[str, Any], expected: Sequence[int] | None, busy: str
) -> EventModel:
    """Set (or remove, for None) ``fields`` on the event item, conditioned on the version read
    (re-read and retried without If-Match); returns the event as it was before the write."""
    actions = [
        getattr(EventModel, name).set(value) if value is not None else getattr(EventModel, name).remove()
        for name, value in fields.items()
    ]

    def attempt(fresh: bool) -> EventModel:
        current = get_event(event.event_id) if fresh else event
        check_expected(current, expected)
        try:
            with versioned_write(
                current.event_id, ["event_ver"], [int(current.event_ver)], event_actions=actions
            ):
                pass
        except PreconditionFailedError as stale:
            if expected is not None:
                raise
            raise LostRace from stale
        return current

    return retrying(attempt, attempts=UPDATE_ATTEMPTS, busy=ConflictError(busy))


def check_expected(event: EventModel, expected: Sequence[int] | None) -> None:
    """The If-Match of a write on the event item, against the version read."""
    if expected is not None and int(event.event_ver) not in expected:
        raise PreconditionFailedError(STALE_MESSAGE)
