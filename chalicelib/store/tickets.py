"""Tickets: read an event's table, create / change / delete one, and save the wizard's whole
table in ONE transaction that also bumps the event's ``tickets_ver``.

Concurrency: every ticket written is conditioned on what was read (its ``ver``; for a delete or
a lower quantity, also on ``sold`` / ``reserved`` not having grown), and writes that may clash on
names (create, rename, the whole table) are also conditioned on ``tickets_ver`` being the one read,
so two saves racing can never leave duplicate names or lose each other's change: the loser gets
409 (or 412 when it sent If-Match).

Orders never write the event item: ``tickets_ver`` counts the table's writes, and each counter
item's ``stock_ver`` the orders' (chalicelib.store.stock). What the API calls ``tickets_ver``
(the versions API) is their sum; deleting a ticket adds its items' ``stock_ver`` to the event's
``tickets_ver`` in the same write, so that sum never goes back. A quantity change of a split
ticket (or one that splits it) resizes its slots in the same transaction."""

import re
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist
from pynamodb.expressions.condition import Condition

from chalicelib.domain import ticket_table as table_rules
from chalicelib.domain import tickets as rules
from chalicelib.domain.clock import now_iso
from chalicelib.domain.errors import ConflictError, NotFoundError, PreconditionFailedError, ValidationError
from chalicelib.domain.stock import Slot
from chalicelib.store import availability, stock
from chalicelib.store.models.events import EventModel, event_pk
from chalicelib.store.models.tickets import TicketModel, ticket_sk
from chalicelib.store.transactions import MAX_ITEMS, Transaction
from chalicelib.store.versions import STALE_MESSAGE, versioned_write

COUNTER = "tickets_ver"
RACE_MESSAGE = "The tickets changed while you were saving; reload and try again."
_TICKET_ID = re.compile(r"[0-9a-f]{32}")


def stored_fields(ticket: TicketModel) -> dict[str, Any]:
    """A stored ticket in the shape the rules clean (so "changed?" compares like with like)."""
    return {
        "name": ticket.name,
        "type": ticket.ticket_type,
        "price": ticket.price,
        "suggested_price": ticket.suggested_price,
        "quantity": int(ticket.quantity),
        "description": ticket.description,
        "sales_starts_at": ticket.sales_starts_at,
        "sales_ends_at": ticket.sales_ends_at,
        "min_order": int(ticket.min_order),
        "max_order": int(ticket.max_order),
        "hidden": ticket.hidden,
        "position": int(ticket.position),
    }


def public_tickets(
    event_id: str, moment: datetime, listed: list[TicketModel], unlocked: Callable[[str], bool] | None = None
) -> list[tuple[TicketModel, int]]:
    """Of ``listed`` (the table), the tickets the public sees (not hidden, or hidden and
    ``unlocked`` by a code), each with how many of its reserved are held by expired orders the
    sweep has not released yet (available already)."""
    expired = availability.expired_held(availability.expired_holds(event_id, moment))
    return [
        (t, expired.get(t.ticket_id, 0))
        for t in listed
        if not t.hidden or (unlocked is not None and unlocked(t.ticket_id))
    ]


def table(event_id: str) -> stock.Inventory:
    """The event's tickets in the wizard's order, with the version of their counters."""
    return stock.Inventory(list_tickets(event_id))


def list_tickets(event_id: str) -> list[TicketModel]:
    found = stock.read(event_id).tickets
    return sorted(found, key=lambda t: (int(t.position), t.created_at, t.ticket_id))


def tickets_version(event: EventModel, inventory: stock.Inventory) -> int:
    """``tickets_ver`` as the versions API counts it: the table's writes and the orders' together."""
    return int(event.tickets_ver) + inventory.version


def get_ticket(event_id: str, ticket_id: str) -> TicketModel:
    if not _TICKET_ID.fullmatch(ticket_id):
        raise NotFoundError("No such ticket.")
    try:
        found = TicketModel.get(event_pk(event_id), ticket_sk(ticket_id), consistent_read=True)
    except DoesNotExist as error:
        raise NotFoundError("No such ticket.") from error
    return stock.read_one(found).tickets[0]


def _committed(ticket: TicketModel) -> int:
    return int(ticket.sold) + int(ticket.reserved)


def _check_if_match(current: int, expected: Sequence[int] | None) -> None:
    if expected is not None and current not in expected:
        raise PreconditionFailedError(STALE_MESSAGE)


def _set_actions(fields: dict[str, Any]) -> list[Any]:
    actions = []
    for field, value in fields.items():
        attribute = getattr(TicketModel, "ticket_type" if field == "type" else field)
        actions.append(attribute.remove() if value is None else attribute.set(value))
    if "name" in fields:
        actions.append(TicketModel.name_key.set(rules.name_key(fields["name"])))
    return actions


def _update_condition(ticket: TicketModel, fields: dict[str, Any]) -> Condition:
    condition = TicketModel.ver == int(ticket.ver)
    if int(fields.get("quantity", ticket.quantity)) < int(ticket.quantity):
        # A lower quantity was checked against the counters read; orders may only have shrunk them since.
        condition &= (TicketModel.sold <= int(ticket.sold)) & (TicketModel.reserved <= int(ticket.reserved))
    return condition


def _stage_delete(transaction: Transaction, ticket: TicketModel) -> None:
    """Only while nothing is sold or reserved, and its counters' versions are the ones read (the
    caller adds them to ``tickets_ver``)."""
    transaction.delete(
        ticket,
        condition=(TicketModel.ver == int(ticket.ver))
        & (TicketModel.sold == 0)
        & (TicketModel.reserved == 0)
        & (TicketModel.stock_ver == ticket.read_versions[0]),
    )
    stock.stage_shard_removal(transaction, ticket)


def _stage_update(transaction: Transaction, ticket: TicketModel, fields: dict[str, Any]) -> None:
    layout, resized = (
        stock.stage_layout(transaction, ticket, list(ticket.read_slots), int(fields["quantity"]))
        if "quantity" in fields
        else ([], None)
    )
    condition = _update_condition(ticket, fields)
    transaction.update(
        ticket,
        actions=[*_set_actions(fields), *layout, TicketModel.ver.add(1)],
        condition=condition if resized is None else condition & resized,
    )


def _stage_create(transaction: Transaction, ticket: TicketModel) -> None:
    quantity = int(ticket.quantity)
    stock.stage_layout(transaction, ticket, [Slot(0, quantity)], quantity)
    transaction.save(ticket, condition=TicketModel.pk.does_not_exist())


def _apply(ticket: TicketModel, changes: dict[str, Any]) -> None:
    """What the update wrote, on the copy in memory (no read back)."""
    for field, value in changes.items():
        setattr(ticket, "ticket_type" if field == "type" else field, value)
    if "name" in changes:
        ticket.name_key = rules.name_key(changes["name"])
    ticket.ver = int(ticket.ver) + 1


def _new_ticket(event_id: str, fields: dict[str, Any]) -> TicketModel:
    ticket_id = uuid.uuid4().hex
    values = {("ticket_type" if k == "type" else k): v for k, v in fields.items() if v is not None}
    return TicketModel(
        event_pk(event_id),
        ticket_sk(ticket_id),
        ticket_id=ticket_id,
        event_id=event_id,
        name_key=rules.name_key(fields["name"]),
        created_at=now_iso(),
        ver=1,
        sold=0,
        reserved=0,
        **values,
    )


def _commit_guarded(
    event: EventModel,
    stage: Callable[[Transaction], None],
    guard: bool,
    if_match: Sequence[int] | None,
    folded: int = 0,
) -> None:
    """Run ``stage(transaction)`` in a versioned write bumping ``tickets_ver``.

    ``guard``: also require ``tickets_ver`` to be the one read (name clashes, whole-table saves).
    ``if_match``: the client's If-Match on the list (already checked against what was read).
    ``folded``: the ``stock_ver`` of the counter items deleted, added to ``tickets_ver`` too.
    """
    expected = [int(event.tickets_ver)] if guard else None
    try:
        with versioned_write(
            event.event_id,
            [COUNTER],
            expected=expected,
            conflict=ConflictError(RACE_MESSAGE),
            step=1 + folded,
        ) as transaction:
            stage(transaction)
            if len(transaction) >= MAX_ITEMS:  # the event item's bump is one more
                raise ValidationError(
                    {
                        "tickets": "This save writes too many items at once (split tickets count once per "
                        "slot); save in two steps."
                    }
                )
    except PreconditionFailedError as error:
        if if_match is not None:
            raise
        raise ConflictError(RACE_MESSAGE) from error


def create_ticket(event: EventModel, payload: dict[str, Any], if_match: Sequence[int] | None) -> TicketModel:
    """Append a ticket to the event's table (If-Match: the list's ETag)."""
    _check_if_match(int(event.tickets_ver), if_match)
    existing = list_tickets(event.event_id)
    if len(existing) >= rules.MAX_TABLE_WRITES:
        raise ValidationError({"tickets": f"An event can have at most {rules.MAX_TABLE_WRITES} tickets."})
    fields = rules.validate_new_ticket(
        payload, event.ends_at, {t.name_key for t in existing}, currency=event.currency
    )
    fields.setdefault("position", max((int(t.position) for t in existing), default=-1) + 1)
    ticket = _new_ticket(event.event_id, fields)
    _commit_guarded(event, lambda tx: _stage_create(tx, ticket), guard=True, if_match=if_match)
    return ticket


def update_ticket(
    event: EventModel, ticket_id: str, payload: dict[str, Any], if_match: Sequence[int] | None
) -> TicketModel:
    """Change one ticket (If-Match: the ticket's ETag, i.e. its ``ver``)."""
    ticket = get_ticket(event.event_id, ticket_id)
    _check_if_match(int(ticket.ver), if_match)
    others = [t for t in list_tickets(event.event_id) if t.ticket_id != ticket.ticket_id]
    current = stored_fields(ticket)
    clean = rules.validate_ticket_change(
        payload, current, _committed(ticket), event.ends_at, {t.name_key for t in others}, event.currency
    )
    changes = {field: value for field, value in clean.items() if current.get(field) != value}
    if not changes:
        return ticket
    renamed = "name" in changes and rules.name_key(changes["name"]) != ticket.name_key
    try:
        _commit_guarded(
            event,
            lambda tx: _stage_update(tx, ticket, changes),
            guard=renamed,
            if_match=None,
        )
    except ConflictError:
        _explain_item_failure(event.event_id, ticket_id, if_match)
        raise
    _apply(ticket, changes)
    return ticket


def delete_ticket(event: EventModel, ticket_id: str, if_match: Sequence[int] | None) -> None:
    ticket = get_ticket(event.event_id, ticket_id)
    _check_if_match(int(ticket.ver), if_match)
    table_rules.check_deletable(
        [table_rules.ExistingTicket(ticket.ticket_id, stored_fields(ticket), _committed(ticket))]
    )
    try:
        _commit_guarded(
            event,
            lambda tx: _stage_delete(tx, ticket),
            guard=False,
            if_match=None,
            folded=stock.version_of(ticket),
        )
    except ConflictError:
        _explain_item_failure(event.event_id, ticket_id, if_match)
        raise


def _explain_item_failure(event_id: str, ticket_id: str, if_match: Sequence[int] | None) -> None:
    """After a ticket's condition failed: gone -> 404, changed under If-Match -> 412, else the 409 stands."""
    ticket = get_ticket(event_id, ticket_id)
    _check_if_match(int(ticket.ver), if_match)


def replace_tickets(
    event: EventModel, payload: Any, if_match: Sequence[int] | None
) -> tuple[list[TicketModel], list[int]]:
    """Save the wizard's whole table; returns the tickets in order and the versions of the list's
    ETag (the new ``tickets_ver``, then the counters')."""
    _check_if_match(int(event.tickets_ver), if_match)
    stored = {t.ticket_id: t for t in list_tickets(event.event_id)}
    existing = {
        ticket_id: table_rules.ExistingTicket(ticket_id, stored_fields(t), _committed(t))
        for ticket_id, t in stored.items()
    }
    plan = table_rules.plan_ticket_table(payload, existing, event.ends_at, currency=event.currency)
    result: list[TicketModel] = []
    updates: list[tuple[TicketModel, dict[str, Any]]] = []
    for row in plan.rows:
        if row.ticket_id is None:
            result.append(_new_ticket(event.event_id, row.fields))
            continue
        ticket = stored[row.ticket_id]
        if row.changed:
            current = existing[row.ticket_id].fields
            updates.append((ticket, {k: v for k, v in row.fields.items() if current.get(k) != v}))
        result.append(ticket)
    creates = [t for t in result if t.ticket_id not in stored]
    if not plan.writes:
        return result, [int(event.tickets_ver), stock.Inventory(result).version]

    def stage(transaction: Transaction) -> None:
        for ticket_id in plan.deletes:
            _stage_delete(transaction, stored[ticket_id])
        for ticket in creates:
            _stage_create(transaction, ticket)
        for ticket, changes in updates:
            _stage_update(transaction, ticket, changes)

    folded = sum(stock.version_of(stored[ticket_id]) for ticket_id in plan.deletes)
    _commit_guarded(event, stage, guard=True, if_match=if_match, folded=folded)
    for ticket, changes in updates:
        _apply(ticket, changes)
    return result, [int(event.tickets_ver) + 1 + folded, stock.Inventory(result).version]
