"""Ticket inventory on the tables: reading each ticket's counters as the sum of its slots (the
ticket item and, for a split ticket, its shard items), and staging the conditional writes of one
slot's counters, of a new layout (split / resize) and of a split ticket's removal.

No write here touches the event item: what changed is versioned by the counter items' own
``stock_ver`` (``Inventory.version`` is their sum), so the orders of an event share no item
unless they take from the same slot (chalicelib.domain.stock).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pynamodb.expressions.condition import Condition

from chalicelib.domain import orders as order_rules
from chalicelib.domain import stock as rules
from chalicelib.store.models.events import event_pk
from chalicelib.store.models.tickets import (
    SHARD_PREFIX,
    TICKET_PREFIX,
    ShardModel,
    TicketModel,
    shard_sk,
    ticket_sk,
)
from chalicelib.store.transactions import Cancelled, Transaction

STOCK_TAG = "stock:"

CounterModel = type[TicketModel] | type[ShardModel]


@dataclass
class Inventory:
    """Tickets as read, each ticket's counters being the sum of its slots."""

    tickets: list[TicketModel]

    @property
    def slots(self) -> dict[str, list[rules.Slot]]:
        """ticket id -> its slots (slot 0 first), as read."""
        return {t.ticket_id: list(t.read_slots) for t in self.tickets}

    @property
    def version(self) -> int:
        """The sum of every counter item's stock_ver: moves by one with each counter write."""
        return sum(sum(t.read_versions) for t in self.tickets)


def version_of(ticket: TicketModel) -> int:
    """The sum of one ticket's stock_ver: what deleting it takes away from ``Inventory.version``."""
    return sum(ticket.read_versions)


def _slot_zero(ticket: TicketModel) -> rules.Slot:
    capacity = ticket.quantity if ticket.capacity is None else ticket.capacity
    return rules.Slot(0, int(capacity), int(ticket.sold), int(ticket.reserved))


def _shards(event_id: str, ticket_id: str = "") -> dict[str, list[ShardModel]]:
    found: dict[str, list[ShardModel]] = {}
    prefix = f"{SHARD_PREFIX}{ticket_id}#" if ticket_id else SHARD_PREFIX
    query = ShardModel.query(event_pk(event_id), ShardModel.sk.startswith(prefix), consistent_read=True)
    for shard in query:
        found.setdefault(shard.ticket_id, []).append(shard)
    return found


def read(event_id: str) -> Inventory:
    """One Query of the tickets, and one of the shards when a ticket is split."""
    tickets = list(
        TicketModel.query(event_pk(event_id), TicketModel.sk.startswith(TICKET_PREFIX), consistent_read=True)
    )
    shards = _shards(event_id) if any(int(t.slots) > 1 for t in tickets) else {}
    return _fold(tickets, shards)


def read_one(ticket: TicketModel) -> Inventory:
    """One ticket as read, with its shards' counters summed in (one more Query when it is split)."""
    shards = _shards(ticket.event_id, ticket.ticket_id) if int(ticket.slots) > 1 else {}
    return _fold([ticket], shards)


def _fold(tickets: list[TicketModel], shards: dict[str, list[ShardModel]]) -> Inventory:
    for ticket in tickets:
        own = sorted(shards.get(ticket.ticket_id, []), key=lambda s: int(s.index))
        ticket.read_slots = (
            _slot_zero(ticket),
            *(rules.Slot(int(s.index), int(s.capacity), int(s.sold), int(s.reserved)) for s in own),
        )
        ticket.read_versions = (int(ticket.stock_ver), *(int(s.stock_ver) for s in own))
        whole = rules.total(ticket.read_slots)
        # The ticket as the API shows it: the sums (in memory only; counters are never saved back).
        ticket.sold, ticket.reserved, ticket.held = whole.sold, whole.reserved, whole.held
    return Inventory(tickets)


def counter_stub(event_id: str, ticket_id: str, index: int) -> TicketModel | ShardModel:
    if index == 0:
        return TicketModel(event_pk(event_id), ticket_sk(ticket_id))
    return ShardModel(event_pk(event_id), shard_sk(ticket_id, index))


def _model(index: int) -> CounterModel:
    return TicketModel if index == 0 else ShardModel


def counter_actions(change: order_rules.CounterChange, model: CounterModel = TicketModel) -> list[Any]:
    actions: list[Any] = [model.stock_ver.add(1)]
    if change.sold:
        actions.append(model.sold.add(change.sold))
    if change.reserved:
        actions.append(model.reserved.add(change.reserved))
    if change.held:
        actions.append(model.held.add(change.held))
    return actions


def take_condition(slots: list[rules.Slot], index: int, taking: int) -> Condition:
    """Taking ``taking`` seats of slot ``index``: its capacity as read, and room for them (an
    unsplit ticket's capacity is its ``quantity``, so a new quantity meanwhile fails this too)."""
    model = _model(index)
    slot = next(s for s in slots if s.index == index)
    capacity = TicketModel.quantity if index == 0 and len(slots) == 1 else model.capacity
    limit = order_rules.held_limit(slot.capacity, taking)
    return (capacity == slot.capacity) & (model.held.does_not_exist() | (model.held <= limit))


def stock_tag(ticket_id: str, index: int) -> str:
    return f"{STOCK_TAG}{ticket_id}#{index}"


def stage_change(
    transaction: Transaction,
    event_id: str,
    ticket_id: str,
    index: int,
    change: order_rules.CounterChange,
    condition: Condition | None = None,
    extra: Iterable[Any] = (),
) -> None:
    """One slot's counters; without ``condition`` (giving back) the slot must still exist."""
    model = _model(index)
    transaction.update(
        counter_stub(event_id, ticket_id, index),
        actions=[*counter_actions(change, model), *extra],
        condition=model.pk.exists() if condition is None else condition,
        tag=stock_tag(ticket_id, index),
    )


def stage_layout(
    transaction: Transaction, ticket: TicketModel, slots: list[rules.Slot], quantity: int
) -> tuple[list[Any], Condition | None]:
    """A ticket now of ``quantity`` seats: split it or resize its slots when it is (or becomes)
    split. Stages the shard writes; returns the actions and condition its own item's write adds
    (nothing for a ticket that stays one item)."""
    count = rules.slot_count(quantity, len(slots))
    if count == 1:
        return [], None
    capacities = rules.resize(slots, quantity, count)
    for index, capacity in enumerate(capacities[1:], start=1):
        if index < len(slots):
            transaction.update(
                counter_stub(ticket.event_id, ticket.ticket_id, index),
                actions=[ShardModel.capacity.set(capacity)],
                condition=(ShardModel.capacity == slots[index].capacity) & (ShardModel.held <= capacity),
            )
        else:
            transaction.save(
                ShardModel(
                    ticket.pk,
                    shard_sk(ticket.ticket_id, index),
                    ticket_id=ticket.ticket_id,
                    index=index,
                    capacity=capacity,
                    sold=0,
                    reserved=0,
                    held=0,
                    stock_ver=0,
                ),
                condition=ShardModel.pk.does_not_exist(),
            )
    ticket.slots, ticket.capacity = count, capacities[0]
    actions = [TicketModel.slots.set(count), TicketModel.capacity.set(capacities[0])]
    before = TicketModel.quantity if len(slots) == 1 else TicketModel.capacity
    condition = (before == slots[0].capacity) & (
        TicketModel.held.does_not_exist() | (TicketModel.held <= capacities[0])
    )
    return actions, condition


def stage_shard_removal(transaction: Transaction, ticket: TicketModel) -> None:
    """Deleting a split ticket: its shards go too, each only while it holds nothing and its
    ``stock_ver`` is the one read (what the delete adds to the event's ``tickets_ver``)."""
    for slot, version in list(zip(ticket.read_slots, ticket.read_versions, strict=True))[1:]:
        transaction.delete(
            counter_stub(ticket.event_id, ticket.ticket_id, slot.index),
            condition=(ShardModel.held == 0) & (ShardModel.stock_ver == version),
        )


def slot_gone(cancelled: Cancelled) -> bool:
    """Giving back failed because a slot no longer exists: its ticket went with its event."""
    return any(tag.startswith(STOCK_TAG) and cancelled.failed(tag) for tag in cancelled.reasons)
