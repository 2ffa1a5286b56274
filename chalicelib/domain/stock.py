"""Split inventory: a hot ticket's seats spread over several counter items ("slots") so that
concurrent buyers rarely write the same DynamoDB item. Pure: no boto3, no PynamoDB.

Slot 0 is the ticket item itself; a split ticket also has slots 1..n-1 (shard items). Each slot
has a ``capacity`` and its own ``sold`` / ``reserved``; the capacities always add up to the
ticket's ``quantity`` and every write keeps ``sold + reserved <= capacity`` on the slot it
touches (the condition of the write itself), so the ticket as a whole is never oversold.

When to split: automatically, from the quantity (``slot_count``): below ``SPLIT_FROM`` seats a
ticket is one item, as before; from there one slot per ``SEATS_PER_SLOT`` seats, at most
``MAX_SLOTS``. A ticket never loses slots (orders remember the slots they took from); a new
quantity redistributes the capacities (``resize``) without going below what each slot holds.
"""

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

SPLIT_FROM = 1000
SEATS_PER_SLOT = 250
MAX_SLOTS = 16

# (slot index, seats): what one order line took from which slot.
Allocation = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Slot:
    """One counter item of a ticket, as read."""

    index: int
    capacity: int
    sold: int = 0
    reserved: int = 0

    @property
    def held(self) -> int:
        return self.sold + self.reserved

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.held)


def slot_count(quantity: int, current: int = 1) -> int:
    """How many slots a ticket of ``quantity`` seats has (never fewer than it has already)."""
    wanted = 1 if quantity < SPLIT_FROM else min(MAX_SLOTS, quantity // SEATS_PER_SLOT)
    return max(current, wanted)


def allocate(slots: Sequence[Slot], seats: int, rng: random.Random | None = None) -> Allocation:
    """Where an order of ``seats`` takes them from, as read: one slot chosen at random among those
    that can give them all (buyers spread out), else slot after slot from a random start.
    ValueError when the slots as read do not have ``seats`` free (the rules answer sold_out first).
    """
    if seats <= 0:
        raise ValueError("an allocation takes at least one seat")
    if len(slots) == 1:
        if slots[0].free < seats:
            raise ValueError("not enough seats free")
        return ((slots[0].index, seats),)
    pick = rng or random
    roomy = [slot for slot in slots if slot.free >= seats]
    if roomy:
        return ((pick.choice(roomy).index, seats),)
    start = pick.randrange(len(slots))
    taken: list[tuple[int, int]] = []
    left = seats
    for slot in [*slots[start:], *slots[:start]]:
        if left and slot.free:
            part = min(slot.free, left)
            taken.append((slot.index, part))
            left -= part
    if left:
        raise ValueError("not enough seats free")
    return tuple(taken)


def from_slot_zero(seats: int) -> Allocation:
    """What an order line took before tickets were split (its seats all on the ticket item)."""
    return ((0, seats),)


def seat_slots(allocation: Allocation) -> list[int]:
    """The slot of each seat of a line, in seat order."""
    return [index for index, seats in allocation for _ in range(seats)]


def resize(slots: Sequence[Slot], quantity: int, count: int) -> list[int]:
    """New capacities for ``count`` slots (the first ``len(slots)`` existing, the rest new and empty)
    adding up to ``quantity``, as even as possible but never below what a slot holds as read.

    ValueError when ``quantity`` is below what the slots hold (the rules refuse that first). The
    write sets each capacity conditioned on the capacity read and on ``held <= new capacity``: an
    order taking seats meanwhile either fits or makes the resize fail, never oversells.
    """
    held = [slot.held for slot in slots] + [0] * (count - len(slots))
    if quantity < sum(held):
        raise ValueError("quantity below what is held")
    # Water-filling: raise a common level until the capacities add up to the quantity.
    low, high = 0, quantity
    while low < high:
        level = (low + high + 1) // 2
        if sum(max(h, level) for h in held) <= quantity:
            low = level
        else:
            high = level - 1
    capacities = [max(h, low) for h in held]
    spare = quantity - sum(capacities)
    for index in range(count):
        if spare and capacities[index] == low:
            capacities[index] += 1
            spare -= 1
    return capacities


def total(slots: Iterable[Slot]) -> Slot:
    """The ticket as a whole: what the API shows (quantity, sold, reserved) is the sum of its slots."""
    found = list(slots)
    return Slot(
        0,
        sum(s.capacity for s in found),
        sum(s.sold for s in found),
        sum(s.reserved for s in found),
    )
